#!/usr/bin/env bash
# Builds the WASM engine (the C++ core + native/bindings/wasm, Emscripten, SIMD128) into wasm/neurite-wasm.mjs,
# one ES module with the wasm binary inlined, loadable by Node 20 and browsers.
#
#   npm run build:wasm                      build into build-wasm/ and copy to wasm/
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

emcmake cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir" --target neurite_wasm -j "${NEURITE_BUILD_JOBS:-2}"

mkdir -p "$out_dir"
cp "$build_dir/neurite-wasm.mjs" "$out_dir/neurite-wasm.mjs"
echo "build-wasm: $(wc -c <"$out_dir/neurite-wasm.mjs") bytes -> $out_dir/neurite-wasm.mjs"
