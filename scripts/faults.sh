#!/usr/bin/env bash
# The write path under faults and races (bench/faults.py), on a fresh database of the seed.
# Stops and starts the project-local PostgreSQL on the way: run it on its own.
# Settings (environment): FAULTS_PORT=8002, FAULTS_DOWN_SECONDS=5
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
url=postgresql+psycopg://postgres@127.0.0.1:${PGPORT:-54329}/referral_faults
scripts/pg.sh dropdb referral_faults >/dev/null
scripts/pg.sh createdb referral_faults
DATABASE_URL=$url .venv/bin/alembic upgrade head
DATABASE_URL=$url .venv/bin/directory load-seed >/dev/null
DATABASE_URL=$url .venv/bin/python -m bench.faults --port "${FAULTS_PORT:-8002}" \
  --down-seconds "${FAULTS_DOWN_SECONDS:-5}"
