#!/usr/bin/env bash
# Runs the ChatKit conformance checker (tests/conformance/check.py, built on
# the official SDK's models) against `tasktalk-server serve` on a throwaway
# SQLite database with the offline assistant. Needs the server built.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$TASKTALK_ROOT"

ensure_python_env
python="$TASKTALK_PYTHON"
server="$CARGO_TARGET_DIR/debug/tasktalk-server"
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

export DATABASE_URL="$work/conformance.db" BETTER_AUTH_SECRET="conformance-secret-0123456789abcdefghij"
export TASKTALK_PROVIDER=offline RUST_LOG=warn
printf '%s\n' "conformance-password" | "$server" user create --email check@example.com --name Checker >/dev/null
token="$(printf '%s\n' "conformance-password" | "$server" sign-in --email check@example.com | "$python" -c 'import json,sys; print(json.load(sys.stdin)["token"])')"

"$server" serve --bind 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$work/serve.out" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/serve.err" >&2; die "tasktalk-server serve did not start"; }
  sleep 0.1
done
url="$(sed -n 's/^listening on //p' "$work/serve.out")/chatkit"
say "ChatKit conformance against $url"
"$python" tests/conformance/check.py "$url" --token "$token"
