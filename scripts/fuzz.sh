#!/usr/bin/env bash
# Fuzzes the parsers that read what users and the network send: the ChatKit
# request parser, the offline assistant's parser, the provider stream (SSE)
# decoder and the date grammar, each for SECONDS (default 60) with cargo-fuzz
# on nightly.
# The corpus grows in the cache (outside the clone) from run to run, seeded
# from fuzz/seeds and the provider fixtures. Prints each target's executions;
# on a failure, exits non-zero with the input that reproduces it.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$TASKTALK_ROOT"

seconds="${1:-60}"
shift || true
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || die "usage: scripts/fuzz.sh [SECONDS] [TARGET...] (SECONDS a whole number above 0)"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(chatkit_request offline_parser provider_sse when)

# Its own build directory: the nightly, sanitizer-instrumented build shares
# nothing with the stable one, and must not wait for its lock.
export CARGO_TARGET_DIR="$TASKTALK_CACHE/fuzz-target"
work="$TASKTALK_CACHE/fuzz"
# The bundled SQLite defines two statics named `aiOff`, which AddressSanitizer
# reports as an ODR violation at start-up; nothing fuzzed touches SQLite.
# Safe Rust cannot use a stack frame after return: not worth the slowdown.
export ASAN_OPTIONS="detect_odr_violation=0:detect_stack_use_after_return=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"

ensure_build_tools
if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  say "installing the nightly Rust toolchain (cargo-fuzz needs it)"
  rustup toolchain install nightly --profile minimal >/dev/null 2>&1 \
    || die "the nightly Rust toolchain is missing and 'rustup toolchain install nightly' failed"
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz (about a minute, once)"
  cargo install cargo-fuzz --locked --quiet
fi

say "building the fuzz targets (nightly, AddressSanitizer, debug assertions)"
mkdir -p "$work/logs"
cargo +nightly fuzz build >"$work/logs/build.log" 2>&1 || { tail -n 40 "$work/logs/build.log" >&2; die "the fuzz targets did not build"; }
bin_dir="$CARGO_TARGET_DIR/$(rustc +nightly -vV | sed -n 's/^host: //p')/release"

# Provider seeds: the recorded streams, each after 8 bytes of piece lengths.
sse_seeds="$work/seeds/provider_sse"
mkdir -p "$sse_seeds"
for fixture in core/tests/fixtures/providers/*.sse; do
  { printf '\001\007\003\037\002\005\013\021'; cat "$fixture"; } >"$sse_seeds/$(basename "$fixture")"
done

failed=0
for target in "${targets[@]}"; do
  [ -x "$bin_dir/$target" ] || die "no fuzz target $target (the targets are in fuzz/fuzz_targets/)"
  corpus="$work/corpus/$target" artifacts="$work/artifacts/$target/" log="$work/logs/$target.log"
  mkdir -p "$corpus" "$artifacts"
  seeds=()
  for dir in "fuzz/seeds/$target" "$work/seeds/$target"; do if [ -d "$dir" ]; then seeds+=("$dir"); fi; done
  say "fuzzing $target for ${seconds}s"
  status=0
  "$bin_dir/$target" "$corpus" "${seeds[@]}" -max_total_time="$seconds" -max_len=8192 -timeout=10 \
    -artifact_prefix="$artifacts" -print_final_stats=1 >"$log" 2>&1 || status=$?
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  if [ "$status" -eq 0 ]; then
    printf '%s: %s executions in %ss, no failure\n' "$target" "${runs:-?}" "$seconds"
  else
    failed=1
    reproducer="$(sed -n 's/.*Test unit written to *//p' "$log" | tail -n 1)"
    tail -n 40 "$log" >&2
    printf '%s: FAILED after %s executions (exit %s); log: %s\n' "$target" "${runs:-?}" "$status" "$log"
    if [ -n "$reproducer" ]; then printf '  reproduce: %s %s\n' "$bin_dir/$target" "$reproducer"; fi
  fi
done
exit "$failed"
