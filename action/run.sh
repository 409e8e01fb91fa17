#!/usr/bin/env bash
# The GitHub Action's step (action.yml): install cflint from the action's checkout, lint with
# workflow-command annotations, and write SARIF too when asked. Exit status: cflint's.
set -uo pipefail
cd "${GITHUB_WORKSPACE:-.}" || exit 2
if [ "${INPUT_INSTALL:-true}" = "true" ]; then
  venv="${RUNNER_TEMP:?RUNNER_TEMP is not set}/cflint-venv"
  if ! { python3 -m venv "$venv" && "$venv/bin/pip" install -q "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"; }; then
    echo "::error title=cflint::cflint could not be installed from $GITHUB_ACTION_PATH"
    exit 2
  fi
  cflint="$venv/bin/cflint"
else
  cflint=cflint
fi
read -r -a paths <<< "${INPUT_PATHS:-.}"
read -r -a extra <<< "${INPUT_ARGS:-}"
if [ -n "${INPUT_SARIF_FILE:-}" ]; then
  "$cflint" --output-format sarif --output-file "$INPUT_SARIF_FILE" --quiet "${extra[@]}" "${paths[@]}"
  status=$?
  if [ "$status" -ge 2 ]; then exit "$status"; fi
fi
"$cflint" --output-format github "${extra[@]}" "${paths[@]}"
