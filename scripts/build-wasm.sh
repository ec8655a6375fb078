#!/usr/bin/env bash
# Builds the four WASM engines (the C++ core + native/bindings/wasm, Emscripten, SIMD128), each one ES module with
# the wasm binary inlined, loadable by Node 20 and browsers:
#   wasm/neurite-wasm.mjs              single-threaded: runs everywhere, the fallback
#   wasm/neurite-wasm-mt.mjs           threaded (-pthread, SharedArrayBuffer): Node, cross-origin-isolated pages;
#   wasm/neurite-wasm-mt.worker.js     its pthread worker (browsers), and the same file as
#   wasm/neurite-wasm-mt.worker.cjs    for Node, where this "type": "module" package would read a .js as ESM
#   wasm/*-relaxed.*                   the same three with the relaxed-SIMD GEMM kernel (a fused multiply-add), for
#                                      engines that validate relaxed SIMD (V8 11.4+: Chromium 114+)
#
#   npm run build:wasm                      build into build-wasm/ and build-wasm-mt/, copy to wasm/
#   scripts/build-wasm.sh BUILD_DIR OUT_DIR build elsewhere (scripts/check-wasm-reproducible.sh uses this)
#
# The output must be byte-for-byte reproducible (it is committed and CI rebuilds and compares it): the build
# maps source and build paths away (-ffile-prefix-map) and emits no timestamps.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-$root/build-wasm}"
out_dir="${2:-$root/wasm}"

if ! command -v emcmake >/dev/null 2>&1; then
  echo "build-wasm: emcmake not found; install Emscripten (Debian: apt-get install -y emscripten)" >&2
  exit 1
fi
# Debian's emcc needs its own node modules (acorn) at the output step.
export NODE_PATH="${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs"
# Timestamps, locale and parallelism must not reach the output.
export SOURCE_DATE_EPOCH=0 LC_ALL=C TZ=UTC

mkdir -p "$out_dir"
# variant: directory suffix, CMake options
variants=(
  "|-DNEURITE_WASM_THREADS=OFF -DNEURITE_WASM_RELAXED=OFF"
  "-mt|-DNEURITE_WASM_THREADS=ON -DNEURITE_WASM_RELAXED=OFF"
  "-relaxed|-DNEURITE_WASM_THREADS=OFF -DNEURITE_WASM_RELAXED=ON"
  "-mt-relaxed|-DNEURITE_WASM_THREADS=ON -DNEURITE_WASM_RELAXED=ON"
)
for variant in "${variants[@]}"; do
  suffix="${variant%%|*}"
  # shellcheck disable=SC2086 # the options are words
  emcmake cmake -S "$root" -B "$build_dir$suffix" -DCMAKE_BUILD_TYPE=Release ${variant#*|} >/dev/null
  cmake --build "$build_dir$suffix" --target neurite_wasm -j "${NEURITE_BUILD_JOBS:-2}"
  name="neurite-wasm$suffix"
  cp "$build_dir$suffix/$name.mjs" "$out_dir/$name.mjs"
  files=("$name.mjs")
  if [[ "$suffix" == -mt* ]]; then
    cp "$build_dir$suffix/$name.worker.js" "$out_dir/$name.worker.js"
    cp "$build_dir$suffix/$name.worker.js" "$out_dir/$name.worker.cjs"
    files+=("$name.worker.js" "$name.worker.cjs")
  fi
  for f in "${files[@]}"; do echo "build-wasm: $(wc -c <"$out_dir/$f") bytes -> $out_dir/$f"; done
done
