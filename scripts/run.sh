#!/usr/bin/env bash
# Runs Tasktalk on its embedded defaults (a SQLite file in the app's data
# directory; no key, no network). Until the desktop app lands this is the
# headless command line: with no arguments it prepares the database and shows
# what it can do; with arguments it runs them, e.g. `scripts/run.sh user list`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$TASKTALK_ROOT"

ensure_build_tools
cargo build --locked --quiet -p tasktalk-server
server="$CARGO_TARGET_DIR/debug/tasktalk-server"
if [ $# -eq 0 ]; then
  "$server" migrate
  "$server" --help
else
  exec "$server" "$@"
fi
