#!/usr/bin/env bash
# End-to-end benchmark: database with seed + synthetic services, API on loopback, load test.
# Usage: scripts/bench.sh [extra bench.run options, e.g. --scenarios bbox text-only]
# Settings (environment):
#   BENCH_SIZES="100000 1000000" the sizes (the default), each in its own database referral_bench_<n>
#   BENCH_SERVICES=100000        one size only, database referral_bench
#   BENCH_REFERRALS=1000000      synthetic referrals for the report and transition benchmark, run
#                                with the first size (0: skip)
#   BENCH_PORT=8001 BENCH_CONCURRENCY=16 BENCH_DURATION=15 BENCH_WARMUP=3 BENCH_WORKERS=2
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${BENCH_PORT:-8001}
CONCURRENCY=${BENCH_CONCURRENCY:-16}
DURATION=${BENCH_DURATION:-15}
WARMUP=${BENCH_WARMUP:-3}
WORKERS=${BENCH_WORKERS:-2}
PG_URL=postgresql+psycopg://postgres@127.0.0.1:${PGPORT:-54329}
API_PID=""

stop_api() {
  if [[ -n $API_PID ]] && kill -0 "$API_PID" 2>/dev/null; then
    kill "$API_PID" 2>/dev/null || true
    wait "$API_PID" 2>/dev/null || true
  fi
  API_PID=""
}
trap stop_api EXIT INT TERM

wait_for_api() {
  local deadline=$((SECONDS + 60))
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/"; do
    if ! kill -0 "$API_PID" 2>/dev/null; then
      echo "bench: the API exited during start-up" >&2
      return 1
    fi
    if ((SECONDS >= deadline)); then
      echo "bench: the API did not answer on port $PORT within 60 s" >&2
      return 1
    fi
    sleep 0.5
  done
}

prepare_db() {  # prepare_db NAME SERVICES
  local url=$PG_URL/$1
  scripts/pg.sh createdb "$1"
  DATABASE_URL=$url .venv/bin/alembic upgrade head
  DATABASE_URL=$url .venv/bin/directory load-seed
  DATABASE_URL=$url .venv/bin/python -m bench.generate --services "$2"
}

# Called plainly so that `set -e` holds inside; a failed load test only sets RUN_STATUS.
bench_size() {  # bench_size NAME SERVICES [bench.run options]
  local name=$1 services=$2
  shift 2
  echo "bench: === $services synthetic services, database $name ==="
  prepare_db "$name" "$services"
  if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
    echo "bench: port $PORT is already in use; set BENCH_PORT" >&2
    return 1
  fi
  DATABASE_URL=$PG_URL/$name .venv/bin/directory serve --host 127.0.0.1 --port "$PORT" \
    --workers "$WORKERS" &
  API_PID=$!
  wait_for_api
  .venv/bin/python -m bench.run --base-url "http://127.0.0.1:$PORT" \
    --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup "$WARMUP" \
    --label "$services synthetic services, $WORKERS API workers" "$@" || RUN_STATUS=$?
  # the portal's pages beside the API for the same queries, one client
  .venv/bin/python -m bench.portal --base-url "http://127.0.0.1:$PORT" || RUN_STATUS=$?
  if [[ ${BENCH_REFERRALS:-1000000} -gt 0 && -z $REFERRALS_DONE ]]; then
    REFERRALS_DONE=1
    DATABASE_URL=$PG_URL/$name .venv/bin/python -m bench.referrals --base-url "http://127.0.0.1:$PORT" \
      --referrals "${BENCH_REFERRALS:-1000000}" --concurrency "$CONCURRENCY" || RUN_STATUS=$?
  fi
  stop_api
}

scripts/setup.sh
RUN_STATUS=0
REFERRALS_DONE=""
if [[ -n ${BENCH_SERVICES:-} && -z ${BENCH_SIZES:-} ]]; then
  bench_size referral_bench "$BENCH_SERVICES" "$@"
else
  for n in ${BENCH_SIZES:-100000 1000000}; do
    bench_size "referral_bench_$n" "$n" "$@"
  done
fi
exit "$RUN_STATUS"  # non-zero when some response was not 200
