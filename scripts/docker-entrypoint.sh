#!/bin/sh
# Container entrypoint: migrate, check the database can search Bangla, load the seed directory
# (idempotent: records already present are skipped), then serve the API on 0.0.0.0:8000.
#
# Any arguments replace the default start-up and are run as a command instead, e.g.
#   docker compose run --rm api directory check-db
#   docker compose run --rm api directory load-seed --refresh
#
# Environment: the settings of app/core/config.py (DATABASE_URL, ...), among them
#   WEB_CONCURRENCY      worker processes (default 2 here)
#   FORWARDED_ALLOW_IPS  the reverse proxy whose X-Forwarded-For is believed (default: nobody;
#                        docker-compose.yml names its Caddy)
#   MAX_HEADER_BYTES, REQUEST_HEADER_TIMEOUT_SECONDS, REQUEST_BODY_TIMEOUT_SECONDS,
#   KEEP_ALIVE_TIMEOUT_SECONDS   the limits of the server (app/server.py)
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
exec directory serve \
    --host 0.0.0.0 \
    --port 8000 \
    --workers "${WEB_CONCURRENCY:-2}"
