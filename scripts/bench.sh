#!/usr/bin/env bash
# Benchmarks (sign-in, tokens, tasks on SQLite and PostgreSQL); prints a table.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$TASKTALK_ROOT"

ensure_build_tools
ensure_test_postgres
cargo bench --locked -p tasktalk-core --bench core
