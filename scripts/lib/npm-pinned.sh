# Sourced by scripts/setup.sh and scripts/meili.sh.
# npm_pinned PACKAGE VERSION INTEGRITY DIR: the files of an npm registry package (its `package/`
# folder) in DIR, fetched with `npm pack` and refused unless the tarball's sha512 integrity is
# INTEGRITY (as `npm view PACKAGE@VERSION dist.integrity` prints it). DIR is replaced.
npm_pinned() {
  local package=$1 version=$2 integrity=$3 dir=$4 download tarball actual
  download=$(mktemp -d)
  (cd "$download" && npm pack --silent "$package@$version" >/dev/null)
  tarball=$(ls "$download"/*.tgz)
  actual=$("${PYTHON:-python3}" -c 'import base64, hashlib, sys
print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$tarball")
  if [[ $actual != "$integrity" ]]; then
    echo "$package@$version is not the pinned package:" >&2
    echo "  expected $integrity" >&2
    echo "  got      $actual" >&2
    rm -rf "$download"
    return 1
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  tar -xzf "$tarball" -C "$dir" --strip-components=1 package
  rm -rf "$download"
}
