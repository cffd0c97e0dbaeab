#!/usr/bin/env bash
# The shell logic of the mcpc GitHub Action (action.yml), run by its main and post steps with the
# runner's environment: inputs as INPUT_<NAME>, and the GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
# GITHUB_PATH, GITHUB_ENV and GITHUB_STATE files.
#
#   run.sh main   install mcpc (cached in the runner's tool cache), connect INPUT_SERVER as
#                 INPUT_SESSION with the INPUT_HEADERS (values masked), set the outputs
#                 session and tools, and write the server's tools to the step summary
#   run.sh post   close the session main connected
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

fail() {
  echo "::error title=mcpc::$*"
  exit 1
}

install_mcpc() {
  local version="${INPUT_VERSION:-latest}"
  if [[ -n "${MCPC_ACTION_BIN:-}" ]]; then
    # A prebuilt mcpc (tests, or a runner image that has one).
    local bin
    bin="$(dirname "$MCPC_ACTION_BIN")"
    echo "$bin" >>"$GITHUB_PATH"
    export PATH="$bin:$PATH"
    return
  fi
  local cache
  cache="${RUNNER_TOOL_CACHE:-$HOME/.cache}/mcpc/$version/$(uname -s)-$(uname -m)"
  if [[ "$version" == latest || ! -x "$cache/bin/mcpc" ]]; then
    local args=(--prefix "$cache")
    [[ "$version" == latest ]] || args+=(--version "$version")
    MCPC_REPOSITORY="${MCPC_REPOSITORY:-${GITHUB_ACTION_REPOSITORY:-}}" \
      sh "$here/../scripts/install.sh" "${args[@]}" || fail "cannot install mcpc $version"
  else
    echo "Using the cached mcpc $version ($cache/bin/mcpc)"
  fi
  echo "$cache/bin" >>"$GITHUB_PATH"
  export PATH="$cache/bin:$PATH"
}

main() {
  : "${GITHUB_OUTPUT:?}" "${GITHUB_STEP_SUMMARY:?}" "${GITHUB_PATH:?}" "${GITHUB_STATE:?}"
  case "$(uname -s)" in
    Linux | Darwin) ;;
    *) fail "the mcpc action runs on Linux and macOS runners (use the release's Windows zip elsewhere)" ;;
  esac
  install_mcpc
  mcpc --version
  local server="${INPUT_SERVER:-}"
  local session="${INPUT_SESSION:-@ci}"
  if [[ -z "$server" ]]; then
    echo "session=" >>"$GITHUB_OUTPUT"
    echo "tools=[]" >>"$GITHUB_OUTPUT"
    return
  fi
  [[ "$session" == @* ]] || session="@$session"
  local header_args=()
  local line value
  while IFS= read -r line || [[ -n "$line" ]]; do
    line="${line%$'\r'}"
    [[ -z "${line// /}" ]] && continue
    [[ "$line" == *:* ]] || fail "a line of headers is not \"Key: Value\" (its text is not shown)"
    value="${line#*:}"
    value="${value# }"
    # Masked before anything can print it: the value, and its last word alone (a token
    # after "Bearer" may show up by itself in a message).
    if [[ -n "$value" ]]; then
      echo "::add-mask::$value"
      [[ "${value##* }" == "$value" ]] || echo "::add-mask::${value##* }"
    fi
    header_args+=(-H "$line")
  done <<<"${INPUT_HEADERS:-}"
  echo "session=$session" >>"$GITHUB_STATE"
  # (The server's address is not repeated: its query may carry a secret; mcpc's own message
  # shows it redacted.) An empty array is spelled out for bash 3.2 under set -u.
  mcpc connect "$server" "$session" ${header_args[@]+"${header_args[@]}"} ||
    fail "cannot connect the server (see mcpc's message above)"
  local tools
  tools="$(mcpc --json "$session" tools-list)" || fail "cannot list the tools of $session"
  local names
  names="$(jq -c '[.[].name]' <<<"$tools")"
  echo "session=$session" >>"$GITHUB_OUTPUT"
  echo "tools=$names" >>"$GITHUB_OUTPUT"
  {
    echo "### MCP server tools ($session)"
    echo
    echo "| Tool | Description |"
    echo "| --- | --- |"
    jq -r '.[] | "| `\(.name)` | \((.description // "") | gsub("[\r\n|]"; " ")) |"' <<<"$tools"
  } >>"$GITHUB_STEP_SUMMARY"
}

post() {
  local session=""
  [[ -n "${STATE_session:-}" ]] && session="$STATE_session"
  if [[ -z "$session" ]]; then
    echo "No session to close"
    return
  fi
  mcpc close "$session" || echo "::warning title=mcpc::cannot close $session"
}

case "${1:-}" in
  main) main ;;
  post) post ;;
  *) fail "usage: run.sh main|post" ;;
esac
