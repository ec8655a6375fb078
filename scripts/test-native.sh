#!/usr/bin/env bash
# Builds and runs the C++ core's unit tests (native/test), outside Node.
#
#   scripts/test-native.sh [--sanitize] [filter]
#
# --sanitize builds with -fsanitize=address,undefined into build-sanitize/ (plain: build-core/). The optional
# filter runs only the tests whose name contains it. Exit status is the tests' (0 = all passed).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/build-core"
flags=(-DCMAKE_BUILD_TYPE=Release)
if [[ "${1:-}" == "--sanitize" ]]; then
  shift
  dir="$root/build-sanitize"
  flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DNEURITE_SANITIZE=ON)
fi

cmake -S "$root" -B "$dir" "${flags[@]}" -DNEURITE_BUILD_TESTS=ON >/dev/null
cmake --build "$dir" --target neurite_core_tests -j "${NEURITE_BUILD_JOBS:-2}" >/dev/null

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
exec "$dir/neurite_core_tests" "$@"
