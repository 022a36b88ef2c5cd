# Production image of the referral-network service directory API.
#
#   docker build -t referral-directory .
#   docker compose up -d          # with PostGIS and Meilisearch, see docker-compose.yml
#
# The entrypoint migrates the database, loads the seed directory (idempotent) and serves on :8000
# with `directory serve` (app/server.py); docker-compose.yml puts Caddy in front of it.

# --- build: install the project and its dependencies into a virtualenv --------------------------
FROM python:3.11-slim-bookworm AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/venv
WORKDIR /src
# README.md* matches nothing when the project has no README; pyproject.toml keeps the COPY valid.
COPY pyproject.toml README.md* ./
COPY app/ app/
COPY search/ search/
COPY directory_data/ directory_data/
# No dev extras: the runtime needs the package, its seed data and its console script only.
RUN /opt/venv/bin/pip install .

# --- runtime -------------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ENVIRONMENT=production \
    ALEMBIC_CONFIG=/app/alembic.ini

# WeasyPrint (the printed directory, app/print) loads Pango and HarfBuzz at run time; the PDFs'
# fonts ship with the package (app/print/fonts), so no font package is needed
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 libharfbuzz0b fontconfig \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 directory \
    && useradd --system --uid 10001 --gid directory --home-dir /app --no-create-home directory

COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# Migrations run from here: alembic.ini points at ./alembic, whose env.py imports the installed app.
# ALEMBIC_CONFIG names it for alembic and for GET /readyz, which compares the database with its head.
COPY alembic.ini ./
COPY alembic/ alembic/
COPY scripts/docker-entrypoint.sh scripts/docker-entrypoint.sh

USER directory

EXPOSE 8000

# The first start loads the gazetteer with its boundaries before serving: allow it time. The
# image's own check is liveness (/healthz); docker-compose.yml checks readiness (/readyz).
HEALTHCHECK --interval=30s --timeout=5s --start-period=600s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

ENTRYPOINT ["/bin/sh", "/app/scripts/docker-entrypoint.sh"]
