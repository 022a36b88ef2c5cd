#!/bin/sh
# Container entrypoint: migrate, check the database can search Bangla, load the seed directory
# (idempotent: records already present are skipped), then serve the API on 0.0.0.0:8000.
#
# Any arguments replace the default start-up and are run as a command instead, e.g.
#   docker compose run --rm api directory check-db
#   docker compose run --rm api directory load-seed --refresh
#
# Environment: the settings of app/core/config.py (DATABASE_URL, ...), and
#   WEB_CONCURRENCY      uvicorn worker processes (default 2)
#   FORWARDED_ALLOW_IPS  proxies whose X-Forwarded-* headers uvicorn trusts (uvicorn's own variable;
#                        default 127.0.0.1, set it to the reverse proxy's address)
set -eu

if [ "$#" -gt 0 ]; then
    exec "$@"
fi

echo "entrypoint: alembic upgrade head"
alembic upgrade head

echo "entrypoint: directory check-db"
directory check-db

echo "entrypoint: directory load-seed"
directory load-seed

echo "entrypoint: serving on 0.0.0.0:8000 with ${WEB_CONCURRENCY:-2} worker(s)"
exec uvicorn app.main:app \
    --host 0.0.0.0 \
    --port 8000 \
    --workers "${WEB_CONCURRENCY:-2}" \
    --proxy-headers
