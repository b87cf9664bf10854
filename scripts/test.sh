#!/usr/bin/env bash
# Every test, from a fresh Debian/Ubuntu machine: installs what is missing,
# starts PostgreSQL, then lint, the Rust suite (each story on SQLite and on
# PostgreSQL), the UI's checks, the Python interop checks, the ChatKit
# conformance checker, each fuzz target briefly, and the desktop app end to
# end in a real web view.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$TASKTALK_ROOT"

ensure_test_environment
ensure_test_pgbouncer
ensure_desktop_packages
ensure_ui_built
ensure_tauri_driver

say "release workflow: zizmor audit (any finding fails), workflow schema"
"$(dirname "$TASKTALK_PYTHON")/zizmor" --offline --no-progress .github/workflows/release.yml
"$(dirname "$TASKTALK_PYTHON")/check-jsonschema" --builtin-schema vendor.github-workflows .github/workflows/release.yml
say "UI: type-check, lint, unit tests"
npm --prefix ui run --silent check
say "cargo fmt --check"
cargo fmt --all -- --check
say "cargo clippy"
cargo clippy --workspace --all-targets --locked --quiet -- -D warnings
say "cargo test (SQLite and PostgreSQL)"
cargo test --workspace --locked
say "interop with the web version's Python side"
cargo build --locked --quiet -p tasktalk-server
TASKTALK_SERVER_BIN="$CARGO_TARGET_DIR/debug/tasktalk-server" "$TASKTALK_PYTHON" -m pytest -q tests/interop
say "ChatKit conformance (check.py)"
scripts/conformance.sh
scripts/fuzz.sh 15
scripts/e2e.sh
