#!/usr/bin/env bash
# Fails when a function built twice by NRT_VECTOR_CLONES (native/src/core/target_clones.h) calls into the core's
# own baseline code from its x86-64-v3 clone: the helper it calls was not inlined, so the AVX2 clone would run
# that helper's SSE2 loop. Mark such helpers NRT_CLONE_INLINE.
#
#   scripts/check-clones.sh path/to/libneurite_core.a
#
# Reads the disassembly with relocations: every call or jump out of a "[clone .arch_x86_64_v3]" function whose
# target is an nrt:: function (or a lambda inside one) that is not itself a clone is reported.
set -euo pipefail
lib="${1:?usage: scripts/check-clones.sh path/to/libneurite_core.a}"
command -v objdump >/dev/null || { echo "check-clones: objdump (binutils) is needed" >&2; exit 2; }
report="$(objdump -dr --no-show-raw-insn -C "$lib" | awk '
  /^[0-9a-f]+ <.*>:$/ { inside = index($0, "[clone .arch_x86_64_v3]>:") > 0; name = $0; next }
  !inside { next }
  # a call or jump to a local function (resolved to its label) or through a relocation to a symbol
  /\t(call|jmp)[ \t]+[0-9a-f]+ </ { target = $0; sub(/^.*</, "", target); sub(/>$/, "", target) }
  /R_X86_64_(PLT32|PC32)/ { target = $0; sub(/^.*R_X86_64_(PLT32|PC32)[ \t]+/, "", target); sub(/-0x[0-9a-f]+$/, "", target) }
  target != "" {
    if (target ~ /nrt::/ && index(target, "arch_x86_64_v3") == 0 && index(target, "+0x") == 0) print name " calls " target
    target = ""
  }' | sort -u)"
if [[ -n "$report" ]]; then
  echo "check-clones: AVX2 clones calling baseline code in $lib (mark the callee NRT_CLONE_INLINE):" >&2
  echo "$report" | cut -c1-300 >&2
  exit 1
fi
count="$(objdump -t "$lib" | grep -c 'arch_x86_64_v3$' || true)"
echo "check-clones: $count x86-64-v3 clones, none calls baseline code of the core"
