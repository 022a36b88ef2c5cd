#!/usr/bin/env bash
# Installs what is missing: Debian packages for PostgreSQL 15 + PostGIS 3, curl and jq, Caddy
# (unpacked), and the project's virtualenv. With --browser (`make test` only; `make run` needs no
# browser) also Debian's Chromium with Latin and Bangla fonts, and axe-core in .data/axe-core.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/npm-pinned.sh

browser=0
for arg in "$@"; do
  case $arg in
    --browser) browser=1 ;;
    *) echo "usage: $0 [--browser]" >&2; exit 2 ;;
  esac
done

installed() { [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null) == ii* ]]; }

PYTHON=${PYTHON:-python3}
PG_BIN=/usr/lib/postgresql/15/bin
need=()
# Debian's own python3 needs python3-venv for `python3 -m venv`.
"$PYTHON" -c "import ensurepip, venv" 2>/dev/null || need+=(python3-venv)
[[ -x $PG_BIN/initdb ]] || need+=(postgresql-15)
[[ -f /usr/share/postgresql/15/extension/postgis-3.control ]] || need+=(postgresql-15-postgis-3)
# the README's examples (and the test that runs them) use curl and jq
for tool in curl jq; do command -v "$tool" >/dev/null || need+=("$tool"); done
# WeasyPrint (the printed directory, app/print) loads Pango, HarfBuzz and fontconfig at run time
for package in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libharfbuzz0b fontconfig; do
  installed "$package" || need+=("$package")
done
if ((browser)); then
  # the browser tests render English and Bangla pages: Chromium brings no fonts of its own
  # poppler-utils: the print tests read the PDFs with pdftotext, pdfinfo, pdffonts and pdftoppm
  for package in chromium fonts-liberation fonts-lohit-beng-bengali poppler-utils; do
    installed "$package" || need+=("$package")
  done
  command -v npm >/dev/null || need+=(npm)
  # the GeoJSON export's test opens it with GDAL's ogrinfo, as QGIS would
  command -v ogrinfo >/dev/null || need+=(gdal-bin)
fi
if ((${#need[@]})); then
  echo "setup: installing ${need[*]}"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Caddy for the tests of deploy/Caddyfile: Debian's package, unpacked into .data/caddy rather than
# installed, because installing it starts a system service on port 80.
CADDY=.data/caddy/usr/bin/caddy
if [[ ! -x $CADDY ]] && ! command -v caddy >/dev/null; then
  echo "setup: unpacking Debian's caddy into .data/caddy"
  download=$(mktemp -d)
  chmod a+rwx "$download"  # apt's unprivileged download user writes there
  if ! (cd "$download" && apt-get download -qq caddy 2>/dev/null); then
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    (cd "$download" && apt-get download -qq caddy)
  fi
  mkdir -p .data/caddy
  dpkg-deb -x "$download"/caddy_*.deb .data/caddy
  rm -rf "$download"
fi

stamp=.venv/.installed
if [[ ! -x .venv/bin/python ]]; then
  echo "setup: creating .venv"
  "$PYTHON" -m venv .venv
fi
if [[ ! -f $stamp || pyproject.toml -nt $stamp ]]; then
  echo "setup: installing the project into .venv"
  if ! { .venv/bin/pip install -q --upgrade pip && .venv/bin/pip install -q -e '.[dev]'; } >.venv/pip.log 2>&1; then
    cat .venv/pip.log >&2
    exit 1
  fi
  touch "$stamp"
fi

# axe-core for the accessibility checks of the browser tests: the pinned version from the npm
# registry, its tarball's sha512 compared with the integrity kept in scripts/browser-deps.txt.
if ((browser)); then
  read -r _ axe_version axe_integrity < <(grep '^axe-core ' scripts/browser-deps.txt)
  axe_dir=.data/axe-core
  if [[ ! -f $axe_dir/axe.min.js || $(cat "$axe_dir/.integrity" 2>/dev/null) != "$axe_integrity" ]]; then
    echo "setup: fetching axe-core $axe_version into $axe_dir"
    npm_pinned axe-core "$axe_version" "$axe_integrity" "$axe_dir"
    echo "$axe_integrity" >"$axe_dir/.integrity"
  fi
fi
