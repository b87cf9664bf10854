#!/usr/bin/env bash
# Runs the Tasktalk desktop app on its embedded defaults: a SQLite file in the
# app's data folder and the offline assistant (no key, no network). Installs
# what it needs on the first run. Without a display it starts one with Xvfb,
# from :99 up, and says which (take a screenshot with
# `DISPLAY=:99 import -window root shot.png`).
# `scripts/run.sh server ARGS...` runs the headless command line instead.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$TASKTALK_ROOT"

ensure_build_tools
if [ "${1:-}" = "server" ]; then
  shift
  cargo build --locked --quiet -p tasktalk-server
  exec "$CARGO_TARGET_DIR/debug/tasktalk-server" "$@"
fi
ensure_desktop_packages
ensure_ui_built
say "building Tasktalk"
cargo build --locked --quiet -p tasktalk --features custom-protocol
ensure_display 99
say "starting Tasktalk on $DISPLAY"
exec "$CARGO_TARGET_DIR/debug/tasktalk"
