#!/usr/bin/env bash
# End-to-end benchmark: database with seed + synthetic services, both search backends side by side.
# Per size: the Meilisearch index built by `directory search-rebuild`, an API on PostgreSQL
# ($BENCH_PORT) and one on Meilisearch ($BENCH_PORT + 1), then `bench.compare` (both APIs, pgbench,
# bare Meilisearch, interleaved); at the first size a rebuild while searches go on (`bench.rebuild`).
# Meilisearch is started as `make test` starts it, and stopped at the end if this script started it.
# Usage: scripts/bench.sh [extra bench.compare options, e.g. --scenarios bbox text-only]
# Settings (environment):
#   BENCH_SIZES="100000 1000000" the sizes (the default), each in its own database referral_bench_<n>
#   BENCH_SERVICES=100000        one size only, database referral_bench
#   BENCH_REFERRALS=1000000      synthetic referrals for the report and transition benchmark, run
#                                with the first size (0: skip)
#   BENCH_PORT=8001 BENCH_CONCURRENCY=16 BENCH_DURATION=10 BENCH_WARMUP=2 BENCH_WORKERS=2
#   BENCH_ROUNDS=2               interleaved rounds of every scenario and target
#   BENCH_REBUILD=0              reuse an index that already holds the size's services
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${BENCH_PORT:-8001}
MEILI_API_PORT=$((PORT + 1))
CONCURRENCY=${BENCH_CONCURRENCY:-16}
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-2}
ROUNDS=${BENCH_ROUNDS:-2}
WORKERS=${BENCH_WORKERS:-2}
PG_URL=postgresql+psycopg://postgres@127.0.0.1:${PGPORT:-54329}
API_PIDS=()
MEILI_STARTED=""

stop_apis() {
  local pid
  for pid in "${API_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  API_PIDS=()
}

finish() {
  stop_apis
  if [[ -n $MEILI_STARTED ]]; then scripts/meili.sh stop; fi
}
trap finish EXIT INT TERM

wait_for_api() {  # wait_for_api PORT PID
  local deadline=$((SECONDS + 120))
  until curl -sf -o /dev/null "http://127.0.0.1:$1/"; do
    if ! kill -0 "$2" 2>/dev/null; then
      echo "bench: the API on port $1 exited during start-up" >&2
      return 1
    fi
    if ((SECONDS >= deadline)); then
      echo "bench: the API did not answer on port $1 within 120 s" >&2
      return 1
    fi
    sleep 0.5
  done
}

start_api() {  # start_api PORT DATABASE [env assignments]
  local port=$1 name=$2
  shift 2
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
    echo "bench: port $port is already in use; set BENCH_PORT" >&2
    return 1
  fi
  env "$@" DATABASE_URL="$PG_URL/$name" .venv/bin/directory serve --host 127.0.0.1 \
    --port "$port" --workers "$WORKERS" &
  API_PIDS+=($!)
  wait_for_api "$port" $!
}

meili_documents() {  # meili_documents INDEX: its number of documents, 0 if it does not exist
  curl -sf -H "Authorization: Bearer $MEILI_API_KEY" "$MEILI_URL/indexes/$1/stats" |
    .venv/bin/python -c 'import json, sys; print(json.load(sys.stdin)["numberOfDocuments"])' \
    2>/dev/null || echo 0
}

prepare_db() {  # prepare_db NAME SERVICES
  local url=$PG_URL/$1
  scripts/pg.sh createdb "$1"
  DATABASE_URL=$url .venv/bin/alembic upgrade head
  DATABASE_URL=$url .venv/bin/directory load-seed
  DATABASE_URL=$url .venv/bin/python -m bench.generate --services "$2"
}

# Called plainly so that `set -e` holds inside; a failed load test only sets RUN_STATUS.
bench_size() {  # bench_size NAME SERVICES [bench.compare options]
  local name=$1 services=$2
  shift 2
  local index="services_bench_$services"
  echo "bench: === $services synthetic services, database $name, index $index ==="
  prepare_db "$name" "$services"
  local meili_env=(SEARCH_BACKEND=meilisearch MEILI_URL="$MEILI_URL" MEILI_API_KEY="$MEILI_API_KEY"
    MEILI_INDEX="$index")
  local rebuild=(env "${meili_env[@]}" DATABASE_URL="$PG_URL/$name" .venv/bin/directory search-rebuild)
  if [[ ${BENCH_REBUILD:-1} != 0 || $(meili_documents "$index") == 0 ]]; then
    local started=$SECONDS
    "${rebuild[@]}"
    echo "bench: index $index built in $((SECONDS - started)) s"
  fi
  start_api "$PORT" "$name" SEARCH_BACKEND=postgres
  start_api "$MEILI_API_PORT" "$name" "${meili_env[@]}"
  .venv/bin/python -m bench.compare --pg-api "http://127.0.0.1:$PORT" \
    --meili-api "http://127.0.0.1:$MEILI_API_PORT" --meili-url "$MEILI_URL" --meili-index "$index" \
    --database-url "$PG_URL/$name" --concurrency "$CONCURRENCY" --duration "$DURATION" \
    --warmup "$WARMUP" --rounds "$ROUNDS" \
    --label "$services synthetic services, $WORKERS API workers each" "$@" || RUN_STATUS=$?
  if [[ -z $REBUILT_UNDER_LOAD ]]; then
    REBUILT_UNDER_LOAD=1
    # the index swapped in while a client searches: no search may be answered empty meanwhile
    .venv/bin/python -m bench.rebuild --base-url "http://127.0.0.1:$MEILI_API_PORT" -- \
      "${rebuild[@]}" || RUN_STATUS=$?
  fi
  # the portal's pages beside the API for the same queries, one client
  .venv/bin/python -m bench.portal --base-url "http://127.0.0.1:$PORT" || RUN_STATUS=$?
  # a harvester's full read: format=ndjson beside a walk of the JSON pages
  .venv/bin/python -m bench.ndjson --base-url "http://127.0.0.1:$PORT" || RUN_STATUS=$?
  # the open-data exports, whole and for one district
  .venv/bin/python -m bench.exports --base-url "http://127.0.0.1:$PORT" \
    --label "($services synthetic services + seed)" || RUN_STATUS=$?
  # the printed directory: a 200-service district rendered in-process, the seed districts' PDFs
  .venv/bin/python -m bench.print --base-url "http://127.0.0.1:$PORT" || RUN_STATUS=$?
  # the SMS lookup's answers on either backend, and the whole webhook path
  .venv/bin/python -m bench.sms --database-url "$PG_URL/$name" --meili-url "$MEILI_URL" \
    --meili-key "$MEILI_API_KEY" --meili-index "$index" --label "($services synthetic services + seed)" \
    || RUN_STATUS=$?
  if [[ ${BENCH_REFERRALS:-1000000} -gt 0 && -z $REFERRALS_DONE ]]; then
    REFERRALS_DONE=1
    DATABASE_URL=$PG_URL/$name .venv/bin/python -m bench.referrals --base-url "http://127.0.0.1:$PORT" \
      --referrals "${BENCH_REFERRALS:-1000000}" --concurrency "$CONCURRENCY" || RUN_STATUS=$?
  fi
  stop_apis
}

scripts/setup.sh
scripts/pg.sh start
if ! curl -sf -o /dev/null "http://127.0.0.1:${MEILI_PORT:-7701}/health"; then MEILI_STARTED=1; fi
scripts/meili.sh start
eval "$(scripts/meili.sh env | sed 's/^/export /; s/ MEILI_API_KEY/; export MEILI_API_KEY/')"
RUN_STATUS=0
REFERRALS_DONE=""
REBUILT_UNDER_LOAD=""
if [[ -n ${BENCH_SERVICES:-} && -z ${BENCH_SIZES:-} ]]; then
  bench_size referral_bench "$BENCH_SERVICES" "$@"
else
  for n in ${BENCH_SIZES:-100000 1000000}; do
    bench_size "referral_bench_$n" "$n" "$@"
  done
fi
exit "$RUN_STATUS"  # non-zero when some response was not 200
