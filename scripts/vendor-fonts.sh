#!/usr/bin/env bash
# Copies the printed documents' fonts (app/print) from Debian's fonts-noto-core into
# app/print/fonts with their licence, so that a PDF never depends on the fonts of the machine
# that renders it. Re-run after upgrading fonts-noto-core; the copies are committed.
set -euo pipefail
cd "$(dirname "$0")/.."

installed() { [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null) == ii* ]]; }
if ! installed fonts-noto-core; then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends fonts-noto-core >/dev/null
fi

source=/usr/share/fonts/truetype/noto
target=app/print/fonts
mkdir -p "$target"
for font in NotoSans-Regular NotoSans-Bold NotoSansBengali-Regular NotoSansBengali-Bold; do
  cp "$source/$font.ttf" "$target/$font.ttf"
done
# the SIL Open Font License 1.1 as Debian's copyright file holds it (its "Files: *" stanza and
# the licence text), with the package's version
copyright=/usr/share/doc/fonts-noto-core/copyright
{
  echo "Noto Sans and Noto Sans Bengali, from Debian's fonts-noto-core" \
    "$(dpkg-query -W -f='${Version}' fonts-noto-core)"
  echo "Source: https://github.com/notofonts (upstream), https://packages.debian.org/bookworm/fonts-noto-core"
  echo
  sed -n '/^Files: \*$/,/^$/p' "$copyright"
  sed -n '/^License: OFL-1.1$/,/^$/{/^License: OFL-1.1$/!p}' "$copyright" | sed -n '/PREAMBLE/,$p' \
    | sed -e 's/^ //' -e 's/^\.$//'
} >"$target/OFL.txt"
echo "vendor-fonts: copied $(ls "$target"/*.ttf | wc -l) fonts and OFL.txt into $target"
