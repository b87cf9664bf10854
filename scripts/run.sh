#!/usr/bin/env bash
# Runs the Tasktalk desktop app on its embedded defaults: a SQLite file in the
# app's data folder and the offline assistant (no key, no network). Installs
# what it needs on the first run. Without a display it starts one with Xvfb
# (take a screenshot with `DISPLAY=:99 import -window root shot.png`).
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
if [ -z "${DISPLAY:-}" ]; then
  export DISPLAY=:99
  if ! xdpyinfo >/dev/null 2>&1; then
    say "no display found: starting Xvfb on $DISPLAY"
    Xvfb "$DISPLAY" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
    for _ in $(seq 1 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
  fi
fi
say "starting Tasktalk on $DISPLAY"
exec "$CARGO_TARGET_DIR/debug/tasktalk"
