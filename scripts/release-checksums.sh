#!/usr/bin/env bash
# Append the checksums of release TAG (from its sha256.sum asset) to action/checksums.txt, so the action
# at the next commit verifies exactly those binaries. Run it after the release workflow published TAG.
set -euo pipefail
tag=${1:?usage: scripts/release-checksums.sh vX.Y.Z}
base=${SHIPGATE_RELEASE_URL:-https://github.com/shipgate/shipgate/releases/download}
cd "$(dirname "$0")/.."
sums=$(curl --fail --silent --show-error --location "$base/$tag/sha256.sum")
if grep -qx "# $tag" action/checksums.txt; then
  echo "action/checksums.txt already has $tag" >&2
  exit 1
fi
{
  echo
  echo "# $tag"
  # Keep only archive lines, normalised to `<sha256>  <file>`.
  echo "$sums" | sed -E 's/^([0-9a-f]{64}) [ *]?(.*)$/\1  \2/' | grep -E '^[0-9a-f]{64}  shipgate-'
} >>action/checksums.txt
echo "added $tag to action/checksums.txt; commit it"
