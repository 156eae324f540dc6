#!/usr/bin/env bash
# bench/data.sh — `shipgate data` against a real PostgreSQL: rows per second on a 10-million-row table,
# full scan and sampled, against `COPY … TO STDOUT | rg -f MARKERS` (the same data rules' patterns, one
# regex a line) as the floor, in the same run; peak memory at two table sizes (it must stay flat as the
# table grows).
#
# usage: bench/data.sh [ROWS_SMALL [ROWS_LARGE]]     (default 1000000 10000000)
# environment:
#   BENCH_RUNS=N       timed runs per command (default 2; the best is reported)
#   SHIPGATE_BIN=path  use that binary instead of building target/release/shipgate
#   SHIPGATE_PG_BIN=d  the directory holding initdb, postgres, pg_ctl and psql (default: the newest
#                      /usr/lib/postgresql/*/bin; install with `apt-get install -y postgresql`)
#
# What it builds: a throw-away cluster (initdb in a temporary directory, as the `postgres` user when run
# as root, on a private port, fsync off) holding two UNLOGGED tables of a service's people records: id,
# e-mail, name, phone, optional notes, a small jsonb profile, created_at. One row in 10,000 has a reserved
# e-mail address and one in 25,000 a placeholder name, so the counts can be checked. ~150 bytes a row:
# the large table takes ~1.6 GB of disk while the bench runs; the directory is removed at the end.
#
# What is timed (after one warm-up read of each table, so both sides read from the page cache):
#   a. shipgate data URL --full   (every row; the findings' counts are checked)
#   b. the floor: psql -c "COPY (SELECT the same columns) TO STDOUT" | rg -c -f MARKERS
#   c. the database alone: psql -c "COPY (…) TO STDOUT" > /dev/null
#   d. shipgate data URL          (the default bounded sample; rows read taken from its JSON)
# Peak RSS (GNU time's %M) of a. on both tables shows whether memory grows with the table.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SMALL=${1:-1000000}
LARGE=${2:-10000000}
RUNS=${BENCH_RUNS:-2}

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

# ---------------------------------------------------------------- tools
apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install $* by hand"
  $sudo apt-get install -y "$@" >/dev/null 2>&1 || { $sudo apt-get update -qq >/dev/null 2>&1; $sudo apt-get install -y "$@" >/dev/null; } ||
    die "could not install $*"
}
PG_BIN=${SHIPGATE_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  say "installing postgresql"; apt_install postgresql
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
command -v rg >/dev/null 2>&1 || { say "installing ripgrep"; apt_install ripgrep; }
[ -x /usr/bin/time ] || { say "installing GNU time"; apt_install time; }
command -v python3 >/dev/null 2>&1 || apt_install python3

if [ -n "${SHIPGATE_BIN:-}" ]; then
  SG=$SHIPGATE_BIN
else
  say "cargo build --release (in $REPO)"
  (cd "$REPO" && cargo build --release --quiet) || die "cargo build failed"
  SG="$REPO/target/release/shipgate"
fi

# ---------------------------------------------------------------- cluster
WORK=$(mktemp -d "${TMPDIR:-/tmp}/shipgate-data-bench.XXXXXX")
AS=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' user (Debian's package creates it)"
  chown postgres "$WORK"
  AS=(runuser -u postgres --)
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
  "${AS[@]}" "$PG_BIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
say "initdb + start on 127.0.0.1:$PORT (in $WORK)"
"${AS[@]}" "$PG_BIN/initdb" -D "$WORK/data" -A trust -U postgres -E UTF8 --locale=C --no-sync >/dev/null
"${AS[@]}" "$PG_BIN/pg_ctl" -D "$WORK/data" -w -l "$WORK/server.log" \
  -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB -c max_wal_size=4GB" \
  start >/dev/null
PSQL=("$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1)
URL="postgres://postgres@127.0.0.1:$PORT/postgres?sslmode=disable"
COLUMNS="id, created_at, email, full_name, phone, notes, profile"

make_table() { # NAME ROWS
  say "building $1 ($2 rows)"
  "${PSQL[@]}" <<SQL
CREATE UNLOGGED TABLE $1 (id bigint PRIMARY KEY, email text, full_name text, phone text, notes text, profile jsonb, created_at timestamptz);
INSERT INTO $1 SELECT g,
  CASE WHEN g % 10000 = 0 THEN 'tester' || g || '@example.com' ELSE 'person' || g || '@dept.gov.uk' END,
  CASE WHEN g % 25000 = 0 THEN 'John Doe' ELSE 'Person ' || g END,
  '020 7' || lpad((g % 1000000)::text, 6, '0'),
  CASE WHEN g % 3 = 0 THEN 'Called on ' || g || ', left a message' END,
  jsonb_build_object('contact', jsonb_build_object('email', 'person' || g || '@dept.gov.uk'), 'sms', g % 2 = 0),
  '2020-01-01'::timestamptz + g * interval '1 second'
FROM generate_series(1, $2) g;
ANALYZE $1;
SQL
}
SMALL_T=people_small
LARGE_T=people_large
make_table "$SMALL_T" "$SMALL"
make_table "$LARGE_T" "$LARGE"
for t in "$SMALL_T" "$LARGE_T"; do
  printf '[data]\ntables = ["public.%s"]\n' "$t" >"$WORK/$t.toml"
done

# The floor's patterns: the data rules shipgate runs, as bench/run.sh builds them.
"$SG" rules --format json | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    p = r.get("pattern")
    if r["id"].startswith("data/") and p:
        print("(?-u)" + ("(?i)" if r.get("case_insensitive") else "") + p)
' >"$WORK/markers.txt"
say "$(wc -l <"$WORK/markers.txt") data-rule patterns for rg -f"

# ---------------------------------------------------------------- timing
# best OK_CODES CMD... : the best wall time of $RUNS runs (sets S, KIB, CPU)
best() {
  local ok=$1; shift
  S=""; KIB=""; CPU=""
  for _ in $(seq "$RUNS"); do
    local rc=0
    /usr/bin/time -f '%e %M %U %S' -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
    case " $ok " in *" $rc "*) ;; *) cat "$WORK/err" >&2; die "exit $rc: $*";; esac
    read -r s kib u sy < <(tail -n 1 "$WORK/time")
    if [ -z "$S" ] || awk "BEGIN{exit !($s < $S)}"; then
      S=$s; KIB=$kib; CPU=$(awk "BEGIN{printf \"%.2f\", $u + $sy}")
      cp "$WORK/out" "$WORK/best.out"
    fi
  done
}
rate() { awk "BEGIN{ if ($2 > 0) printf \"%.0f\", $1 / $2; else print \"-\" }"; }

ROW="%-13s %-34s %10s %8s %12s %10s\n"
printf "$ROW" table command rows seconds rows/s "peak KiB" >"$WORK/results"
declare -A PEAK
for t in "$SMALL_T" "$LARGE_T"; do
  n=$([ "$t" = "$SMALL_T" ] && echo "$SMALL" || echo "$LARGE")
  copy="COPY (SELECT $COLUMNS FROM ONLY public.$t) TO STDOUT"
  "${PSQL[@]}" -c "$copy" >/dev/null   # warm the page cache
  say "$t: shipgate data --full"
  best "1" "$SG" data "$URL" --full --config "$WORK/$t.toml" --format json
  PEAK[$t]=$KIB
  read -r rows found < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
f = [x for x in r["findings"] if x["rule"] == "data/reserved-email"]
print(r["summary"]["rows_read"], f[0]["count"] if f else 0)' "$WORK/best.out")
  [ "$rows" = "$n" ] || die "shipgate read $rows rows of $n"
  [ "$found" = "$((n / 10000))" ] || die "shipgate found $found reserved addresses, expected $((n / 10000))"
  printf "$ROW" "$t" "shipgate data --full" "$rows" "$S" "$(rate "$rows" "$S")" "$KIB" >>"$WORK/results"
  SG_FULL_CPU=$CPU
  say "$t: COPY | rg -f (floor)"
  best "0 1" sh -c 'm=$1; shift; "$@" -c "$0" | rg -c -f "$m"' "$copy" "$WORK/markers.txt" "${PSQL[@]}"
  printf "$ROW" "$t" "COPY | rg -f MARKERS (floor)" "$n" "$S" "$(rate "$n" "$S")" "$KIB" >>"$WORK/results"
  say "$t: COPY > /dev/null"
  best "0" "${PSQL[@]}" -c "$copy"
  printf "$ROW" "$t" "COPY > /dev/null (database alone)" "$n" "$S" "$(rate "$n" "$S")" "-" >>"$WORK/results"
  printf '  shipgate CPU (user+sys) for %s: %s s\n' "$t" "$SG_FULL_CPU" >>"$WORK/notes"
done
say "$LARGE_T: shipgate data (default sample)"
best "0 1" "$SG" data "$URL" --config "$WORK/$LARGE_T.toml" --format json --seed 1
rows=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["rows_read"])' "$WORK/best.out")
printf "$ROW" "$LARGE_T" "shipgate data (sampled)" "$rows" "$S" "$(rate "$rows" "$S")" "$KIB" >>"$WORK/results"

echo
cat "$WORK/results"
cat "$WORK/notes"
growth=$(awk "BEGIN{printf \"%.2f\", ${PEAK[$LARGE_T]} / ${PEAK[$SMALL_T]}}")
echo "peak memory, shipgate data --full: ${PEAK[$SMALL_T]} KiB at $SMALL rows, ${PEAK[$LARGE_T]} KiB at $LARGE rows (x$growth for x$((LARGE / SMALL)) rows)"
