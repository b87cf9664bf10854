#!/usr/bin/env bash
# Start time and idle memory of the desktop app beside an empty Tauri window
# built from the same workspace (examples/blank_window.rs), in one run, under
# Xvfb. Prints a table; the figures go to docs/benchmarks.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$TASKTALK_ROOT"

ensure_build_tools
ensure_desktop_packages
ensure_ui_built
ensure_tauri_driver
ensure_python_env
cargo build --locked --quiet --release -p tasktalk-server
cargo build --locked --quiet --release -p tasktalk --features custom-protocol --bin tasktalk --example blank_window
work="$(mktemp -d)"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT
unset DISPLAY
ensure_display 96
pids+=("$XVFB_PID")
port="$(free_port_pair 4455)"
export TASKTALK_DATA_DIR="$work/data" TASKTALK_SECRET_STORE=file WEBKIT_DISABLE_DMABUF_RENDERER=1 RUST_LOG=warn
tauri-driver --port "$port" --native-port "$((port + 1))" >"$work/driver.log" 2>&1 &
pids+=($!)
sleep 1
TAURI_DRIVER_URL="http://127.0.0.1:$port" TASKTALK_APP="$CARGO_TARGET_DIR/release/tasktalk" \
  TASKTALK_BLANK="$CARGO_TARGET_DIR/release/examples/blank_window" TASKTALK_SERVER="$CARGO_TARGET_DIR/release/tasktalk-server" \
  "$TASKTALK_PYTHON" scripts/measure.py
