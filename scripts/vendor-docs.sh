#!/usr/bin/env bash
# Vendors the assets of the interactive API docs (/docs and /redoc) into
# app/core/docs_static/vendor/ from the npm registry: the pinned versions below, each tarball
# refused unless its sha512 is the integrity the registry published
# (`npm view PACKAGE@VERSION dist.integrity`). Run by hand to upgrade, then commit the result:
# the app never fetches them, so the docs work offline from a clean clone.
# Source maps are not shipped, and the comments that name them are removed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/npm-pinned.sh

SWAGGER_UI_VERSION=5.35.0
SWAGGER_UI_INTEGRITY=sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ==
# ReDoc 2: redoc 3 is an ES module that carries OpenTelemetry tracing to Redocly's servers
REDOC_VERSION=2.5.4
REDOC_INTEGRITY=sha512-M6jWhG1qoBnH6TFmzJnstyCZ87HmOY/UzDm78mHiYihEdlV/YcS9ogOo1NlElnJMeLsyxHFe2yFc4sNjHTrABQ==

VENDOR=app/core/docs_static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# copy FROM TO: the file without a closing source-map comment
copy() {
  sed -e '${/sourceMappingURL=/d}' "$1" >"$2"
}

# note DIR PACKAGE VERSION INTEGRITY LICENCE FILES...: the README.md of a vendored package
note() {
  local dir=$1 package=$2 version=$3 integrity=$4 licence=$5
  shift 5
  {
    echo "# $package $version"
    echo
    echo "From the npm registry package \`$package@$version\`"
    echo "(\`$integrity\`), fetched and checked by \`scripts/vendor-docs.sh\`:"
    printf -- '- `%s`\n' "$@"
    echo
    echo "Source-map comments are removed; the maps are not shipped. $licence"
  } >"$dir/README.md"
}

npm_pinned swagger-ui-dist "$SWAGGER_UI_VERSION" "$SWAGGER_UI_INTEGRITY" "$work/swagger-ui"
rm -rf "$VENDOR/swagger-ui"
mkdir -p "$VENDOR/swagger-ui"
for name in swagger-ui-bundle.js swagger-ui.css; do
  copy "$work/swagger-ui/$name" "$VENDOR/swagger-ui/$name"
done
cp "$work/swagger-ui/"{swagger-ui-bundle.js.LICENSE.txt,favicon-32x32.png,LICENSE,NOTICE} \
  "$VENDOR/swagger-ui/"
note "$VENDOR/swagger-ui" swagger-ui-dist "$SWAGGER_UI_VERSION" "$SWAGGER_UI_INTEGRITY" \
  "Apache License 2.0: see \`LICENSE\` and \`NOTICE\`; the bundled libraries' notices are in \`swagger-ui-bundle.js.LICENSE.txt\`." \
  swagger-ui-bundle.js swagger-ui.css swagger-ui-bundle.js.LICENSE.txt favicon-32x32.png

npm_pinned redoc "$REDOC_VERSION" "$REDOC_INTEGRITY" "$work/redoc"
rm -rf "$VENDOR/redoc"
mkdir -p "$VENDOR/redoc"
copy "$work/redoc/bundles/redoc.standalone.js" "$VENDOR/redoc/redoc.standalone.js"
# its sidebar shows Redocly's logo from their CDN and hides it when it fails to load: an empty
# data: URL fails at once, and the page asks no other host
sed -i 's|"https://cdn.redoc.ly/redoc/logo-mini.svg"|"data:,"|' "$VENDOR/redoc/redoc.standalone.js"
grep -q 'https://cdn' "$VENDOR/redoc/redoc.standalone.js" && { echo "redoc still names a CDN" >&2; exit 1; }
cp "$work/redoc/bundles/redoc.standalone.js.LICENSE.txt" "$work/redoc/LICENSE" "$VENDOR/redoc/"
note "$VENDOR/redoc" redoc "$REDOC_VERSION" "$REDOC_INTEGRITY" \
  "Redocly's logo, which the bundle fetches from their CDN, is replaced by an empty \`data:,\` URL (the bundle then hides it). MIT licence: see \`LICENSE\`; the bundled libraries' notices are in \`redoc.standalone.js.LICENSE.txt\`." \
  bundles/redoc.standalone.js bundles/redoc.standalone.js.LICENSE.txt

echo "vendored swagger-ui-dist $SWAGGER_UI_VERSION and redoc $REDOC_VERSION into $VENDOR"
