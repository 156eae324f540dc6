#!/usr/bin/env bash
# The action's "Run the gate" step: map the action's inputs (INPUT_* variables, passed through env:, never
# interpolated into the script) to shipgate's flags, and run it from the workspace.
set -uo pipefail

# The binary: the `binary` input, else the verified release binary (action/install.sh), else the build.
bin=${INPUT_BINARY:-${SHIPGATE_RELEASE_BINARY:-}}
if [ -z "$bin" ]; then
  bin="${SHIPGATE_TARGET_DIR:?}/release/shipgate"
fi
if [ ! -x "$bin" ]; then
  echo "::error title=shipgate::shipgate binary not found at $bin (set the 'binary' input or let the action build it)"
  echo "result=error" >>"${GITHUB_OUTPUT:-/dev/null}"
  exit 2
fi

args=(check "${INPUT_PATH:-.}" --format "${INPUT_FORMAT:-github}")
[ -n "${INPUT_CONFIG:-}" ] && args+=(--config "$INPUT_CONFIG")
[ -n "${INPUT_FAIL_ON:-}" ] && args+=(--fail-on "$INPUT_FAIL_ON")
case "${INPUT_OFFLINE:-false}" in
  true | 1 | yes) args+=(--offline) ;;
esac
# Pre-merge: on pull_request events compare with the PR's base unless told otherwise. `auto` makes
# shipgate read the base commit from the event payload (GITHUB_EVENT_PATH), not from a ref name the
# change could shadow.
diff_base=${INPUT_DIFF_BASE:-}
if [ -z "$diff_base" ] && [ -n "${GITHUB_BASE_REF:-}" ]; then
  case "${GITHUB_EVENT_NAME:-}" in
    pull_request | pull_request_target | merge_group) diff_base="auto" ;;
  esac
fi
[ -n "$diff_base" ] && args+=(--diff "$diff_base")
[ -n "${INPUT_SARIF_FILE:-}" ] && args+=(--sarif-file "$INPUT_SARIF_FILE")
[ -n "${INPUT_REPORT:-}" ] && args+=(--report "$INPUT_REPORT")

cd "${GITHUB_WORKSPACE:-.}" || exit 2
echo "shipgate ${args[*]}"
# shipgate itself sets the `sarif-file` and `report` outputs, and only for files it wrote: after a
# configuration error there is no SARIF file, and an upload step conditioned on the output skips instead
# of failing a second time.
"$bin" "${args[@]}"
code=$?

# The job summary links to the evidence report (kept by uploading it as an artifact).
if [ -n "${INPUT_REPORT:-}" ] && [ -f "$INPUT_REPORT" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  artifacts="${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-}/actions/runs/${GITHUB_RUN_ID:-}#artifacts"
  {
    echo
    echo "📄 Evidence report written to \`$INPUT_REPORT\` — upload it with actions/upload-artifact to keep it with [this run's artifacts]($artifacts)."
  } >>"$GITHUB_STEP_SUMMARY"
fi
exit "$code"
