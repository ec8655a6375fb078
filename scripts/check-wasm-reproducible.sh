#!/usr/bin/env bash
# Rebuilds the WASM engine from scratch in a fresh directory (a different absolute path than the developer's
# build-wasm/, which also checks that no path leaks into the output) and fails if the result differs from the
# committed wasm/neurite-wasm.mjs by a single byte.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/neurite-wasm-check.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

bash "$root/scripts/build-wasm.sh" "$scratch/build" "$scratch/out"

committed="$root/wasm/neurite-wasm.mjs"
rebuilt="$scratch/out/neurite-wasm.mjs"
if [ ! -f "$committed" ]; then
  echo "check-wasm-reproducible: $committed is missing; run npm run build:wasm and commit it" >&2
  exit 1
fi
if cmp -s "$committed" "$rebuilt"; then
  echo "check-wasm-reproducible: OK, wasm/neurite-wasm.mjs matches a fresh build ($(sha256sum <"$rebuilt" | cut -c1-16))"
else
  echo "check-wasm-reproducible: wasm/neurite-wasm.mjs differs from a fresh build of the sources:" >&2
  echo "  committed $(sha256sum <"$committed" | cut -c1-16) $(wc -c <"$committed") bytes" >&2
  echo "  rebuilt   $(sha256sum <"$rebuilt" | cut -c1-16) $(wc -c <"$rebuilt") bytes" >&2
  echo "  run npm run build:wasm and commit wasm/neurite-wasm.mjs (or find what made the build non-reproducible)" >&2
  exit 1
fi
