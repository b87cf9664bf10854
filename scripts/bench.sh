#!/usr/bin/env bash
# Benchmarks: core (sign-in, tokens, tasks on SQLite and PostgreSQL) and
# ChatKit side by side with the SDK's reference server; prints tables.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$TASKTALK_ROOT"

ensure_test_environment
say "core: sign-in, tokens, tasks"
cargo bench --locked -p tasktalk-core --bench core
say "ChatKit: the SDK's reference server and tasktalk-server side by side"
TASKTALK_BENCH_PYTHON="$TASKTALK_PYTHON" cargo bench --locked -p tasktalk-server --bench chatkit
