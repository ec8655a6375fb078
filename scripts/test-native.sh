#!/usr/bin/env bash
# Builds and runs the C++ core's unit tests (native/test), outside Node's addon.
#
#   scripts/test-native.sh [--sanitize | --tsan | --wasm | --wasm-relaxed | --addon-sanitize] [filter]
#
#   (default)         Release build in build-core/
#   --sanitize        -fsanitize=address,undefined build in build-sanitize/
#   --tsan            -fsanitize=thread build in build-tsan/ (the thread pool and the threaded GEMM)
#   --wasm            Emscripten build (the wasmsimd kernel) in build-wasm-tests/, run by Node
#   --wasm-relaxed    the same with the relaxed-SIMD kernel (wasmrelaxedsimd) in build-wasm-relaxed-tests/, run by
#                     Node with relaxed SIMD enabled (Node 20: --experimental-wasm-relaxed-simd)
#   --addon-sanitize  the Node addon itself built with the sanitizers (build-asan/) and the vitest suites
#                     test/backend-ops.test.ts and test/native-{boundary,async}.test.ts run against it (libasan preloaded)
# The optional filter runs only the tests whose name contains it. Exit status is the tests' (0 = all passed).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode="${1:-}"
if [[ "$mode" == "--addon-sanitize" ]]; then
  cd "$root"
  npx cmake-js compile --log-level warn -O build-asan --CDNEURITE_SANITIZE=ON >/dev/null
  export NEURITE_NATIVE_ADDON="$root/build-asan/Release/neurite.node"
  export LD_PRELOAD="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)"
  # Node itself is not built for leak checking; the core's leaks are covered by --sanitize.
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
  exec npx vitest run test/backend-ops.test.ts test/native-boundary.test.ts test/native-async.test.ts
fi
case "$mode" in
  --sanitize)
    shift
    dir="$root/build-sanitize"
    cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNEURITE_SANITIZE=ON -DNEURITE_BUILD_TESTS=ON >/dev/null
    ;;
  --tsan)
    shift
    dir="$root/build-tsan"
    cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNEURITE_TSAN=ON -DNEURITE_BUILD_TESTS=ON \
      -DCMAKE_CXX_FLAGS= -DCMAKE_EXE_LINKER_FLAGS= >/dev/null
    export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1}"
    ;;
  --wasm | --wasm-relaxed)
    shift
    relaxed=OFF
    dir="$root/build-wasm-tests"
    if [[ "$mode" == "--wasm-relaxed" ]]; then relaxed=ON; dir="$root/build-wasm-relaxed-tests"; fi
    # Debian's emcc needs its own node modules (acorn) at the link step.
    export NODE_PATH="${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs"
    emcmake cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DNEURITE_BUILD_TESTS=ON \
      -DNEURITE_WASM_RELAXED=$relaxed >/dev/null
    ;;
  *)
    dir="$root/build-core"
    cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DNEURITE_BUILD_TESTS=ON >/dev/null
    ;;
esac
# The benchmark programs are built too (not run), so a change to the C API cannot leave them behind unnoticed.
targets=(neurite_core_tests)
if [[ "$mode" != --wasm* ]]; then targets+=(train-bench gemm-bench); fi
cmake --build "$dir" --target "${targets[@]}" -j "${NEURITE_BUILD_JOBS:-2}" >/dev/null

# The AVX2 clones of the element-wise loops must not fall back into baseline code (x86-64 GCC builds only).
if [[ -z "$mode" && "$(uname -m)" == x86_64 ]]; then bash "$root/scripts/check-clones.sh" "$dir/libneurite_core.a"; fi

if [[ "$mode" == --wasm* ]]; then
  # Emscripten 3.1.6's loader trips over Node 20's fetch when given a file path.
  node_flags=(--no-experimental-fetch)
  # Node 20 validates relaxed SIMD only behind this flag (later versions by default).
  if [[ "$mode" == "--wasm-relaxed" ]]; then node_flags+=(--experimental-wasm-relaxed-simd); fi
  exec node "${node_flags[@]}" "$dir/neurite_core_tests.cjs" "$@"
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
exec "$dir/neurite_core_tests" "$@"
