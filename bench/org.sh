#!/usr/bin/env bash
# Organisation audit at scale, against the mock organisation of tests/cli/mock_org.rs (2,000 repositories
# on 127.0.0.1: GraphQL + REST, rate-limit headers, one repository in 97 slow): requests per repository,
# repositories per minute per shard, wall time as shards (parallel `org run` processes) are added, and
# peak RSS per shard against its size. Results: bench/README.md ("Organisation audit").
#
#   bench/org.sh                      # release binary, 2,000 repositories, 1/2/4 shards, --jobs 4
#   BENCH_REPOS=500 BENCH_SHARDS=1,2 bench/org.sh
#   SHIPGATE_BIN=path bench/org.sh    # skip the build
#   BENCH_LATENCY_MS=100 bench/org.sh # every answer 100 ms late: latency-bound, as against GitHub
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SHIPGATE_BIN:-}" ]; then
  cargo build --release --locked --quiet
  SHIPGATE_BIN=$PWD/target/release/shipgate
fi
export SHIPGATE_BIN
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (/usr/bin/time)" >&2; exit 2; }
cargo test --locked --quiet --test cli org::bench_org_scale -- --ignored --nocapture --test-threads 1 2>&1 |
  grep -E '^(#|machine|shards=|rss_check)'
