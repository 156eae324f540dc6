#!/usr/bin/env bash
# bench/diff.sh — what judging a pull request by its outcome costs: `check --diff main` against a full
# `check` of the same large tree, with a realistic change, and the ratio.
#
# usage: bench/diff.sh [CORPUS_DIR [TREE_DIR]]
#   CORPUS_DIR  the scan benchmark's corpus (default /tmp/shipgate-corpus; built with bench/corpus.sh
#               if absent): a git work tree with one commit on `main`
#   TREE_DIR    where the benchmark's clone lives (default CORPUS_DIR-diff): `git clone --shared` of the
#               corpus (its objects are shared, its files checked out), on branch `change`
# environment:
#   BENCH_RUNS=N       timed runs of each command, interleaved, after one warm-up (default 5; the best
#                      of each is reported)
#   SHIPGATE_BIN=path  use that binary instead of building target/release/shipgate
#
# The change, made once and committed on `change` (what a busy feature branch looks like): 40 files
# edited across the tree (a line added in the middle), 5 renamed (`git mv`, one of them also edited),
# 3 deleted, 3 added — one of them production code with a reserved e-mail address and `DEBUG = True`, so
# the run must find exactly what the change introduces (checked below) — plus one uncommitted edit.
#
# Both runs are offline and write JSON to /dev/null. `--diff` evaluates the merge base too: the walk hands
# every file the two trees share to both evaluations with the bytes it read once; the files the change
# touched are read again from git. The ratio is diff wall / full wall, and the same for CPU.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORPUS=${1:-/tmp/shipgate-corpus}
TREE=${2:-$CORPUS-diff}
RUNS=${BENCH_RUNS:-5}

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/shipgate-bench-diff.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

[ -x /usr/bin/time ] || die "GNU time is needed (apt-get install time)"
if [ ! -d "$CORPUS/.git" ]; then
  say "building the corpus: bench/corpus.sh $CORPUS"
  "$REPO/bench/corpus.sh" "$CORPUS"
fi

if [ -n "${SHIPGATE_BIN:-}" ]; then
  SG=$SHIPGATE_BIN
else
  say "cargo build --release (in $REPO)"
  (cd "$REPO" && cargo build --release --quiet) || die "cargo build failed"
  SG="$REPO/target/release/shipgate"
fi
[ -x "$SG" ] || die "no binary at $SG"

g() { git -C "$TREE" -c user.name=Bench -c user.email=bench@corp.invalid "$@"; }

# ---------------------------------------------------------------- the tree and its change
STAMP="$TREE/.git/shipgate-bench-diff"
WANT="corpus=$(git -C "$CORPUS" rev-parse HEAD) recipe=1"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  say "cloning the corpus into $TREE (objects shared)"
  rm -rf "$TREE"
  git clone -q --shared "$CORPUS" "$TREE"
  g checkout -q -B main
  g checkout -q -b change
  # 51 tracked text files spread evenly over the tree, in path order.
  g ls-files | grep -E '\.(py|rb|js|ts|go|rs|java|c|h|yml|md)$' >"$WORK/text-files"
  step=$(($(wc -l <"$WORK/text-files") / 52))
  mapfile -t PICKED < <(awk -v step="$step" 'NR % step == 7' "$WORK/text-files" | head -n 51)
  [ "${#PICKED[@]}" -ge 51 ] || die "the corpus has too few files (${#PICKED[@]} picked)"
  comment() {
    case "$1" in
      *.py|*.rb|*.yml) echo "# changed on this branch: retry budget raised" ;;
      *.md) echo "Changed on this branch: retry budget raised." ;;
      *) echo "// changed on this branch: retry budget raised" ;;
    esac
  }
  for f in "${PICKED[@]:0:40}"; do # edited: a line in the middle
    n=$(wc -l <"$TREE/$f")
    awk -v at=$((n / 2 + 1)) -v line="$(comment "$f")" 'NR == at {print line} {print}' "$TREE/$f" >"$WORK/edit"
    cat "$WORK/edit" >"$TREE/$f"
  done
  for f in "${PICKED[@]:40:5}"; do # renamed
    d=$(dirname "$f"); b=$(basename "$f")
    g mv "$f" "$d/renamed_$b"
  done
  last="${PICKED[44]}"
  comment "$last" >>"$TREE/$(dirname "$last")/renamed_$(basename "$last")"
  for f in "${PICKED[@]:45:3}"; do g rm -q "$f"; done # deleted
  mkdir -p "$TREE/bench_service/app"
  printf 'import os\n\nDEBUG = True\nSUPPORT_EMAIL = "support@example.com"\nTIMEOUT = int(os.environ.get("TIMEOUT", "30"))\n' \
    >"$TREE/bench_service/app/settings.py"
  printf 'from app.settings import TIMEOUT\n\n\ndef handler(request):\n    return {"timeout": TIMEOUT}\n' \
    >"$TREE/bench_service/app/views.py"
  printf '# Bench service\n\nA service added on this branch.\n' >"$TREE/bench_service/README.md"
  g add -A
  g commit -q -m "A feature branch: edits, renames, deletions and a new service"
  echo "$WANT" >"$STAMP"
fi
# Uncommitted work too, as on a developer's machine.
f=$(g ls-files | grep -E '\.py$' | awk 'NR == 3')
cp "$TREE/$f" "$WORK/restore"
trap 'cp "$WORK/restore" "$TREE/$f"; rm -rf "$WORK"' EXIT
echo "# uncommitted" >>"$TREE/$f"

# ---------------------------------------------------------------- timing
NICE=""
if [ "$(id -u)" -eq 0 ]; then NICE="nice -n -5"; fi
run_timed() { # OUT CMD... -> LAST_S LAST_CPU LAST_KIB LAST_RC
  local out=$1; shift
  local rc=0
  $NICE /usr/bin/time -f '%e %M %U %S' -o "$WORK/time" "$@" >"$out" 2>"$WORK/stderr" || rc=$?
  case $rc in 0 | 1) ;; *) tail -n 20 "$WORK/stderr" >&2; die "exit $rc: $*" ;; esac
  local u s
  read -r LAST_S LAST_KIB u s < <(tail -n 1 "$WORK/time")
  LAST_CPU=$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}')
  LAST_RC=$rc
}
# Interleaved (full, diff, full, diff, …) so that a load that comes and goes on a shared machine hits
# both alike; each side keeps its best wall and CPU time and its highest peak RSS.
FULL=("$SG" check "$TREE" --offline --format json)
DIFF=("$SG" check "$TREE" --offline --format json --diff main)
better() { awk -v a="$1" -v b="$2" 'BEGIN{exit !(b == "" || a < b)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "n/a" }'; }
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
say "warm-up, then $RUNS interleaved runs of each"
run_timed "$WORK/out" "${FULL[@]}"
run_timed "$WORK/diff.json" "${DIFF[@]}"
FULL_S=""; FULL_CPU=""; FULL_KIB=0; DIFF_S=""; DIFF_CPU=""; DIFF_KIB=0
for ((i = 0; i < RUNS; i++)); do
  run_timed "$WORK/out" "${FULL[@]}"
  if better "$LAST_S" "$FULL_S"; then FULL_S=$LAST_S; fi
  if better "$LAST_CPU" "$FULL_CPU"; then FULL_CPU=$LAST_CPU; fi
  if [ "$LAST_KIB" -gt "$FULL_KIB" ]; then FULL_KIB=$LAST_KIB; fi
  run_timed "$WORK/diff.json" "${DIFF[@]}"
  if better "$LAST_S" "$DIFF_S"; then DIFF_S=$LAST_S; fi
  if better "$LAST_CPU" "$DIFF_CPU"; then DIFF_CPU=$LAST_CPU; fi
  if [ "$LAST_KIB" -gt "$DIFF_KIB" ]; then DIFF_KIB=$LAST_KIB; fi
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

# The run must have judged the change: the new service's findings, nothing else from the files it left.
python3 - "$WORK/diff.json" <<'PY' || die "the --diff run did not find what the change introduces"
import json, sys
r = json.load(open(sys.argv[1]))
new = sorted((f["rule"], f["location"].get("path", ""), f["location"].get("line", 0))
             for f in r["findings"] if f["location"]["kind"] == "file")
want = [("data/reserved-email", "bench_service/app/settings.py", 4),
        ("switch/debug-enabled", "bench_service/app/settings.py", 3)]
print(f"--diff: {r['diff']['files_changed']} files changed, {len(new)} new findings in files, "
      f"{r['summary']['pre_existing']} pre-existing not failed on", file=sys.stderr)
missing = [w for w in want if w not in new]
if missing or r["exit_code"] != 1:
    print(f"missing {missing}; got {new}", file=sys.stderr)
    sys.exit(1)
PY

FILES=$(g ls-files | wc -l)
echo "shipgate --diff benchmark — $(nproc) cores, best of $RUNS interleaved runs after 1 warm-up${NICE:+, at $NICE}"
echo "load average before: $LOAD_BEFORE, after: $LOAD_AFTER"
echo "tree: $TREE — $FILES tracked files; change: main...change plus one uncommitted edit"
echo
printf '%-40s %9s %9s %15s\n' command "wall (s)" "CPU (s)" "peak RSS (KiB)"
printf '%-40s %9s %9s %15s\n' "shipgate check (whole tree)" "$FULL_S" "$FULL_CPU" "$FULL_KIB"
printf '%-40s %9s %9s %15s\n' "shipgate check --diff main" "$DIFF_S" "$DIFF_CPU" "$DIFF_KIB"
echo
printf '%-40s %9s %9s\n' ratio wall CPU
printf '%-40s %8sx %8sx\n' "--diff / whole tree" "$(ratio "$DIFF_S" "$FULL_S")" "$(ratio "$DIFF_CPU" "$FULL_CPU")"
