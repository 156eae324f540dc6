#!/usr/bin/env bash
# The action's install step: download the release binary for the action's own version, verify it against
# the SHA-256 committed with the action (action/checksums.txt), and refuse to run anything that does not
# match. Only when no release exists for this version does it ask for a build from source.
#
# Writes to GITHUB_OUTPUT:
#   source=release  binary=PATH   the verified release binary is installed at PATH
#   source=build  cache-key=KEY   no release for this version: build from the action's source; KEY names
#                                 the build cache by what the build depends on (always set, unlike
#                                 `github.action_ref`, which GitHub does not promise inside a composite action)
# Exits 1 (and writes nothing usable) on a checksum mismatch, a release without this platform's asset, or
# a download that failed for another reason: the gate fails closed rather than run an unverified binary.
#
# Inputs (environment): GITHUB_ACTION_PATH (the action's checkout), RUNNER_OS / RUNNER_ARCH (as GitHub
# sets them; `uname` otherwise), RUNNER_TEMP (where to install), SHIPGATE_RELEASE_URL (the releases'
# download base, default https://github.com/shipgate/shipgate/releases/download; tests point it at a
# local server).
set -euo pipefail

action=${GITHUB_ACTION_PATH:?}
out=${GITHUB_OUTPUT:-/dev/null}
base=${SHIPGATE_RELEASE_URL:-https://github.com/shipgate/shipgate/releases/download}
base=${base%/}

version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$action/Cargo.toml" | head -n 1)
if [ -z "$version" ]; then
  echo "::error title=shipgate::cannot read the action's version from Cargo.toml"
  exit 1
fi
tag="v$version"

os=${RUNNER_OS:-$(uname -s)}
arch=${RUNNER_ARCH:-$(uname -m)}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$@"; else shasum -a 256 "$@"; fi
}

# No release binary to run: build from the action's own source. The cache key is the platform, the
# version and a hash of every file the build reads (manifest, lock file, toolchain, sources, rule packs),
# so a cached build is reused exactly when it is the build of this source.
build_from_source() {
  local sum p paths=()
  for p in Cargo.toml Cargo.lock rust-toolchain.toml build.rs src rules; do
    if [ -e "$action/$p" ]; then paths+=("$p"); fi
  done
  sum=$(cd "$action" && find "${paths[@]}" -type f -print0 |
    LC_ALL=C sort -z | while IFS= read -r -d '' f; do printf '%s\0' "$f" && cat -- "$f"; done |
    sha256 | cut -c1-32) || sum=""
  {
    echo "source=build"
    echo "cache-key=shipgate-build-$os-$arch-$tag-${sum:-unhashed-$(date +%s)}"
  } >>"$out"
}

case "$os/$arch" in
  Linux/X64 | Linux/x86_64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64 | Linux/aarch64 | Linux/arm64) target=aarch64-unknown-linux-musl ;;
  macOS/ARM64 | Darwin/arm64) target=aarch64-apple-darwin ;;
  macOS/X64 | Darwin/x86_64) target=x86_64-apple-darwin ;;
  Windows/X64 | MINGW*/x86_64 | MSYS*/x86_64) target=x86_64-pc-windows-msvc ;;
  *)
    echo "no release binary for $os/$arch: building from source"
    build_from_source
    exit 0
    ;;
esac
case "$target" in
  *windows*) asset="shipgate-$target.zip" exe=shipgate.exe ;;
  *) asset="shipgate-$target.tar.gz" exe=shipgate ;;
esac

# The checksum committed with the action for this version's asset. A line is `<sha256>  <file>` (the
# format `sha256sum` writes), under a `# vX.Y.Z` header naming the release it belongs to.
expected=$(awk -v tag="# $tag" -v asset="$asset" '
  /^#/ { in_release = ($0 == tag); next }
  in_release && $2 == asset { print $1; exit }
' "$action/action/checksums.txt" 2>/dev/null || true)
if ! [[ "$expected" =~ ^[0-9a-f]{64}$ ]]; then
  echo "no release checksum committed for $asset ($tag): building from source"
  build_from_source
  exit 0
fi

dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/shipgate-$tag"
rm -rf "$dir"
mkdir -p "$dir"
url="$base/$tag/$asset"

# Fetch URL to FILE; prints the HTTP status (000 when the server could not be reached).
fetch() {
  curl --silent --show-error --location --proto '=https,http' --retry 3 --retry-delay 1 \
    --connect-timeout 20 --max-time 300 --output "$2" --write-out '%{http_code}' "$1" || true
}

status=$(fetch "$url" "$dir/$asset")
case "$status" in
  200) ;;
  404)
    # No asset: is there a release at all? Its checksum list answers that.
    if [ "$(fetch "$base/$tag/sha256.sum" "$dir/sha256.sum")" = 404 ]; then
      echo "no release $tag published yet: building from source"
      build_from_source
      rm -rf "$dir"
      exit 0
    fi
    echo "::error title=shipgate::release $tag has no $asset for this runner ($os/$arch); set the 'binary' input to a shipgate you installed"
    exit 1
    ;;
  *)
    echo "::error title=shipgate::downloading $url failed (HTTP $status); the gate does not run without its verified binary"
    exit 1
    ;;
esac

actual=$(sha256 "$dir/$asset" | cut -d' ' -f1)
if [ "$actual" != "$expected" ]; then
  echo "::error title=shipgate::checksum mismatch for $asset ($tag): expected $expected, got $actual. Refusing to run it."
  rm -rf "$dir"
  exit 1
fi

case "$asset" in
  *.zip) (cd "$dir" && unzip -q "$asset") ;;
  *) tar -xzf "$dir/$asset" -C "$dir" ;;
esac
bin=$(find "$dir" -type f -name "$exe" | head -n 1)
if [ -z "$bin" ]; then
  echo "::error title=shipgate::$asset does not contain $exe"
  exit 1
fi
chmod +x "$bin"
echo "installed shipgate $tag ($target), sha256 $actual verified"
{
  echo "source=release"
  echo "binary=$bin"
} >>"$out"
