#!/usr/bin/env bash
# The desktop end-to-end test: builds the app with its web UI embedded, then
# runs tests/e2e under Xvfb through tauri-driver and WebKitWebDriver, with a
# private D-Bus session bus whose notification calls dbus-monitor records.
# Writes docs/screenshot.png. Needs ensure_desktop_environment (scripts/test.sh does it).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$TASKTALK_ROOT"

ensure_python_env
cargo build --locked --quiet -p tasktalk --features custom-protocol
# tests/e2e/test_desktop.py imports a long conversation with the admin command.
cargo build --locked --quiet -p tasktalk-server
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ensure_display 97
[ -n "$XVFB_PID" ] && pids+=("$XVFB_PID")
start_session_bus
pids+=("$DBUS_PID")
# Every Notify call (a reminder) on the bus, for tests/e2e/test_tray_reminders.py.
export TASKTALK_NOTIFY_LOG="$work/notify.log"
dbus-monitor --session "type='method_call',interface='org.freedesktop.Notifications',member='Notify'" \
  >"$TASKTALK_NOTIFY_LOG" 2>&1 &
pids+=($!)
port="$(free_port_pair 4444)"
# The app inherits this environment from the driver: a fresh data folder and
# the secrets file (no keyring daemon runs here).
export TASKTALK_DATA_DIR="$work/data" TASKTALK_SECRET_STORE=file
export WEBKIT_DISABLE_DMABUF_RENDERER=1 RUST_LOG=warn
tauri-driver --port "$port" --native-port "$((port + 1))" >"$work/driver.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do port_in_use "$port" && break; sleep 0.1; done

say "desktop end to end (WebKit under Xvfb)"
TASKTALK_APP="$CARGO_TARGET_DIR/debug/tasktalk" TASKTALK_SERVER="$CARGO_TARGET_DIR/debug/tasktalk-server" \
  TAURI_DRIVER_URL="http://127.0.0.1:$port" \
  "$TASKTALK_PYTHON" -m pytest -q tests/e2e || { tail -40 "$work/driver.log" >&2; exit 1; }
