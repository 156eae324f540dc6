#!/usr/bin/env bash
# bench/memory.sh — does shipgate's memory stay flat as the tree grows? Peak RSS on 10k and 100k files.
#
# usage: bench/memory.sh [CORPUS_DIR]
#   CORPUS_DIR  real source files to build the trees from (default /tmp/shipgate-corpus, made by
#               bench/corpus.sh if absent). Each tree is hard links to the corpus's files (no extra disk
#               for file data), copied as many times as needed to reach the file count.
# environment: SHIPGATE_BIN=path to use that binary instead of building target/release/shipgate.
#
# Prints, for shipgate's full offline gate and for `rg -c -F` (the same walk and reads, for reference):
# peak RSS on each tree and the growth per extra file. Peak RSS is GNU time's %M (KiB).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORPUS=${1:-/tmp/shipgate-corpus}
SIZES=(10000 100000)

die() { printf 'error: %s\n' "$*" >&2; exit 2; }
command -v rg >/dev/null 2>&1 || die "ripgrep (rg) is needed: apt-get install ripgrep"
[ -x /usr/bin/time ] || die "GNU time is needed: apt-get install time"
[ -d "$CORPUS" ] || bash "$REPO/bench/corpus.sh" "$CORPUS" >&2
CORPUS=$(cd "$CORPUS" && pwd)

if [ -n "${SHIPGATE_BIN:-}" ]; then
  SG=$SHIPGATE_BIN
else
  (cd "$REPO" && cargo build --release --quiet) || die "cargo build failed"
  SG="$REPO/target/release/shipgate"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/shipgate-mem.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
(cd "$CORPUS" && rg --files --hidden --glob '!.git' --max-filesize 2M) > "$WORK/files"
available=$(wc -l < "$WORK/files")
[ "$available" -gt 0 ] || die "no files in $CORPUS"

# tree N: N files, hard-linked from the corpus in copies c0/, c1/, ... (each copy a full or partial corpus).
tree() {
  local n=$1 dir="$WORK/tree-$1" copy=0 left=$1
  while [ "$left" -gt 0 ]; do
    local take=$(( left < available ? left : available ))
    mkdir -p "$dir/c$copy"
    head -n "$take" "$WORK/files" | (cd "$CORPUS" && xargs -d '\n' cp --parents -l -t "$dir/c$copy")
    left=$(( left - take ))
    copy=$(( copy + 1 ))
  done
  echo "$dir"
}

peak() { # CMD... -> peak RSS in KiB (exit codes 0 and 1 are both fine: 1 means findings or no match)
  /usr/bin/time -f '%M' -o "$WORK/time" "$@" >/dev/null 2>&1 || true
  tail -n 1 "$WORK/time"
}

printf '%-10s %14s %14s\n' files "shipgate KiB" "rg KiB"
declare -A SG_KIB RG_KIB
for n in "${SIZES[@]}"; do
  printf '==> building a %d-file tree\n' "$n" >&2
  dir=$(tree "$n")
  peak "$SG" check "$dir" --offline --format json --output /dev/null >/dev/null # warm the page cache
  SG_KIB[$n]=$(peak "$SG" check "$dir" --offline --format json --output /dev/null)
  RG_KIB[$n]=$(peak rg -c -F --hidden 'zqxjv-never-occurs-8f3a' "$dir")
  printf '%-10s %14s %14s\n' "$n" "${SG_KIB[$n]}" "${RG_KIB[$n]}"
  rm -rf "$dir"
done
small=${SIZES[0]} large=${SIZES[1]}
per_file() { echo $(( ($2 - $1) * 1024 / (large - small) )); }
printf 'growth per extra file: shipgate %s bytes, rg %s bytes (peak RSS, %dk -> %dk files)\n' \
  "$(per_file "${SG_KIB[$small]}" "${SG_KIB[$large]}")" "$(per_file "${RG_KIB[$small]}" "${RG_KIB[$large]}")" \
  $(( small / 1000 )) $(( large / 1000 ))

