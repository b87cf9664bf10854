#!/usr/bin/env bash
# Benchmarks: core (sign-in, tokens, tasks on SQLite and PostgreSQL, a turn's
# round trips to PostgreSQL) and ChatKit side by side with the SDK's reference
# server under wrk; prints tables.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$TASKTALK_ROOT"

ensure_test_environment
ensure_packages wrk
# 1 000 connections take as many descriptors in wrk and in each server.
ulimit -Sn "$(ulimit -Hn)"
[ "$(ulimit -Sn)" = unlimited ] || [ "$(ulimit -Sn)" -ge 4096 ] || die "the open-file limit ($(ulimit -Hn)) is below the 4096 the ChatKit bench needs"
say "core: sign-in, tokens, tasks, a turn over PostgreSQL"
cargo bench --locked -p tasktalk-core --bench core
say "ChatKit: the SDK's reference server and tasktalk-server side by side"
TASKTALK_BENCH_PYTHON="$TASKTALK_PYTHON" cargo bench --locked -p tasktalk-server --bench chatkit
