#!/usr/bin/env bash
# Run every fuzz target for a bounded time (default 60 s each), seeded from the repository's own
# test inputs, and print executions and crashes per target. Needs the nightly toolchain and cargo-fuzz
# (`cargo install cargo-fuzz`). Not part of .ci/run: crashes found are fixed and kept as regression tests.
#   usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=($(cargo +nightly fuzz list))

seed() { # seed <target> <files...>
  local dir=corpus/$1
  shift
  mkdir -p "$dir"
  for f in "$@"; do
    if [ -f "$f" ]; then cp "$f" "$dir/seed-$(echo "${f#../}" | tr '/' '_')"; fi
  done
}
# seed_rust <target> <pairs|literals> <PREFIX> <REGEX> <rust files...>: inputs written inline in Rust tests.
# `pairs`: every `("path", "content")` pair of string literals (tests/cli fixtures, extractor unit-test
# calls) whose path matches REGEX; `literals`: every string literal whose content matches REGEX. PREFIX
# (a byte value, or - for none) is written first, for targets that pick a file kind from the first byte.
seed_rust() {
  python3 - "$@" <<'PY'
import hashlib, os, re, sys
target, mode, prefix, pattern, files = sys.argv[1], sys.argv[2], sys.argv[3], re.compile(sys.argv[4]), sys.argv[5:]
lit = r'(?:"((?:[^"\\]|\\.)*)"|r(#*)"(.*?)"\{})'
pair = re.compile(r'"((?:[^"\\]|\\.)*)"\s*,\s*' + lit.format(3), re.S)
single = re.compile(lit.format(2), re.S)
esc = re.compile(r'\\(?:\n\s*|u\{([0-9a-fA-F]+)\}|x([0-9a-fA-F]{2})|(.))', re.S)
simple = {'n': '\n', 'r': '\r', 't': '\t', '0': '\0', '\\': '\\', '"': '"', "'": "'"}
def unescape(s):
    def one(m):
        if m.group(1): return chr(int(m.group(1), 16))
        if m.group(2): return chr(int(m.group(2), 16))
        return simple.get(m.group(3), '') if m.group(3) else ''
    return esc.sub(one, s)
os.makedirs(f'corpus/{target}', exist_ok=True)
for f in files:
    text = open(f, encoding='utf-8').read()
    if mode == 'pairs':
        found = [(unescape(m.group(1)), unescape(m.group(2)) if m.group(2) is not None else m.group(4))
                 for m in pair.finditer(text)]
        found = [c for p, c in found if pattern.search(p)]
    else:
        found = [unescape(m.group(1)) if m.group(1) is not None else m.group(3) for m in single.finditer(text)]
        found = [c for c in found if pattern.search(c)]
    for c in found:
        data = (b'' if prefix == '-' else bytes([int(prefix)])) + c.encode()
        name = hashlib.sha1(data).hexdigest()[:16]
        open(f'corpus/{target}/lit-{name}', 'wb').write(data)
PY
}
seed config ../shipgate.toml ../src/starter.toml
seed rule_pack ../rules/*.toml
seed suppression ../src/suppress/*.rs ../examples/sample-service/app/notify.py
seed rust_regions ../src/repo/*.rs ../src/rules/*.rs
seed scan ../examples/sample-service/*/* ../examples/sample-service/*/*/* ../rules/*.toml
seed classify ../README.md
seed codeowners ../.github/CODEOWNERS
seed_rust codeowners literals - '\S\s+@\w' ../src/repo/codeowners.rs ../src/checks/owners.rs ../src/checks/access.rs ../tests/cli/owners.rs ../tests/cli/access.rs
seed workflow ../examples/workflows/*.yml ../action.yml ../zizmor.yml ../.pre-commit-hooks.yaml ../examples/sample-service/config/*.yml
seed_rust workflow literals - '(?m)^\s*(on|jobs|steps):' ../src/repo/workflows.rs ../src/checks/*.rs ../tests/cli/*.rs
# leak_extractors and deploy_artifacts: the prefix is the index into the target's FILES table.
leak_langs=('\.py$' '\.(js|jsx|mjs|cjs)$' '\.(ts|tsx)$' '\.go$' '\.rs$' '\.java$' '\.kts?$' '\.(rb|rake)$' '\.(vue|svelte|astro)$')
leak_units=(python javascript javascript go rust_lang jvm jvm ruby javascript)
for i in "${!leak_langs[@]}"; do
  seed_rust leak_extractors pairs "$i" "${leak_langs[$i]}" ../tests/cli/leaks.rs "../src/checks/leak/${leak_units[$i]}.rs"
done
seed_rust leak_extractors pairs 9 '^src/.*test.*\.rs$' ../tests/cli/leaks.rs ../src/checks/leak/rust_lang.rs
artifacts=('(^|/)Dockerfile[^/]*$' '\.dockerignore$' 'Cargo\.toml$' 'package\.json$' 'pyproject\.toml$' 'setup\.py$'
  'setup\.cfg$' 'MANIFEST\.in$' 'requirements[^/]*\.txt$' 'Gemfile$' 'go\.mod$')
for i in "${!artifacts[@]}"; do
  seed_rust deploy_artifacts pairs "$i" "${artifacts[$i]}" ../tests/cli/leaks.rs ../src/checks/leak/*.rs
done
seed deploy_artifacts ../Cargo.toml
# Structured input (arbitrary::Unstructured): any bytes will do; text gives messages and paths.
seed report_writers ../docs/json-format.md ../tests/cli/outputs.rs

# Inputs that once crashed a target (fixed since, each also a unit test) are kept in regressions/<target>/:
# passed as a second corpus directory, they run first on every run and are never written to.
printf '%-17s %12s %8s\n' target executions crashes
for t in "${targets[@]}"; do
  log=$(mktemp)
  dirs=("corpus/$t")
  [ -d "regressions/$t" ] && dirs+=("regressions/$t")
  set +e
  cargo +nightly fuzz run "$t" "${dirs[@]}" -- -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  execs=$({ grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" || true; } | grep -o '[0-9]*$' | tail -1 || true)
  # Crashes of this run only: artifacts/ keeps earlier ones.
  crashes=$(find "artifacts/$t" -name 'crash-*' -newer "$log" 2>/dev/null | wc -l)
  printf '%-17s %12s %8s\n' "$t" "${execs:-?}" "$crashes"
  if [ "$rc" -ne 0 ]; then
    echo "  $t exited $rc; see artifacts/$t and this log:" >&2
    # The panic or sanitizer report, not libFuzzer's dump of the input bytes.
    grep -E "panicked at|^[^ ]*(ERROR|SUMMARY)|Test unit written" -A1 "$log" | cut -c1-300 >&2 || tail -5 "$log" >&2
  fi
  rm -f "$log"
done
