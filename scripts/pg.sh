#!/usr/bin/env bash
# Project-local PostgreSQL cluster under .data/pg: create it once, start it if stopped, create a database.
# Usage: scripts/pg.sh start | stop | createdb NAME | dropdb NAME
set -euo pipefail
cd "$(dirname "$0")/.."

PG_BIN=/usr/lib/postgresql/15/bin
PGPORT=${PGPORT:-54329}
DATA=$PWD/.data/pg
RUN=$PWD/.data/run
LOG=$PWD/.data/postgres.log

# initdb and postgres refuse to run as root: then the cluster belongs to the postgres system user.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# As root the cluster belongs to `postgres`, which must be able to reach .data/: grant traverse
# (not read) permission on any parent directory that withholds it, e.g. a private temp dir.
grant_traverse() {
  [[ $(id -u) -eq 0 ]] || return 0
  local dir=$PWD
  while [[ $dir != / ]]; do
    if ! runuser -u postgres -- test -x "$dir"; then
      echo "pg: allowing the postgres user to traverse $dir"
      chmod o+x "$dir"
    fi
    dir=$(dirname "$dir")
  done
}

init_cluster() {
  grant_traverse
  [[ -f $DATA/PG_VERSION ]] && return
  echo "pg: creating cluster in $DATA (port $PGPORT)"
  mkdir -p "$DATA" "$RUN"
  touch "$LOG"
  if [[ $(id -u) -eq 0 ]]; then chown -R postgres:postgres "$PWD/.data"; fi
  as_owner "$PG_BIN/initdb" -D "$DATA" -E UTF8 --locale=C.UTF-8 -U postgres --auth=trust >/dev/null
  cat >>"$DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$RUN'
shared_buffers = 512MB
work_mem = 16MB
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
}

start() {
  init_cluster
  if as_owner "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then return; fi
  if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; then
    echo "pg: another server already listens on 127.0.0.1:$PGPORT; stop it or set PGPORT" >&2
    exit 1
  fi
  echo "pg: starting on 127.0.0.1:$PGPORT"
  if ! as_owner "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null; then
    echo "pg: the server did not start; the end of $LOG:" >&2
    tail -n 20 "$LOG" >&2
    exit 1
  fi
}

psql_() { "$PG_BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }

case "${1:-start}" in
  start) start ;;
  stop) as_owner "$PG_BIN/pg_ctl" -D "$DATA" -m fast stop ;;
  createdb)
    start
    name=$2
    if [[ -z $(psql_ -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$name'") ]]; then
      echo "pg: creating database $name"
      psql_ -d postgres -c "CREATE DATABASE \"$name\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
    fi
    ;;
  dropdb)
    start
    psql_ -d postgres -c "DROP DATABASE IF EXISTS \"$2\" WITH (FORCE)"
    ;;
  *) echo "usage: $0 start|stop|createdb NAME|dropdb NAME" >&2; exit 2 ;;
esac
