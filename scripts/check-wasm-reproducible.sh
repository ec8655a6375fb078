#!/usr/bin/env bash
# Rebuilds the four WASM engines from scratch in a fresh directory (a different absolute path than the developer's
# build-wasm/, which also checks that no path leaks into the output) and fails if any file differs from the
# committed one in wasm/ by a single byte.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/neurite-wasm-check.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

bash "$root/scripts/build-wasm.sh" "$scratch/build" "$scratch/out"

status=0
built=()
for path in "$scratch/out"/*; do built+=("$(basename "$path")"); done
if [ "${#built[@]}" -ne 8 ]; then
  echo "check-wasm-reproducible: expected 8 files from scripts/build-wasm.sh, got ${#built[@]}: ${built[*]}" >&2
  exit 1
fi
for f in "${built[@]}"; do
  committed="$root/wasm/$f"
  rebuilt="$scratch/out/$f"
  if [ ! -f "$committed" ]; then
    echo "check-wasm-reproducible: wasm/$f is missing; run npm run build:wasm and commit it" >&2
    status=1
  elif cmp -s "$committed" "$rebuilt"; then
    echo "check-wasm-reproducible: OK, wasm/$f matches a fresh build ($(sha256sum <"$rebuilt" | cut -c1-16))"
  else
    echo "check-wasm-reproducible: wasm/$f differs from a fresh build of the sources:" >&2
    echo "  committed $(sha256sum <"$committed" | cut -c1-16) $(wc -c <"$committed") bytes" >&2
    echo "  rebuilt   $(sha256sum <"$rebuilt" | cut -c1-16) $(wc -c <"$rebuilt") bytes" >&2
    echo "  run npm run build:wasm and commit wasm/ (or find what made the build non-reproducible)" >&2
    status=1
  fi
done
exit $status
