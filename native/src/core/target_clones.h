// NRT_VECTOR_CLONES: compile a hot element-wise loop twice, for x86-64-v3 (AVX2) and the baseline, and let the
// dynamic loader pick one per CPU (GCC's target_clones, resolved once through an ifunc). The core's other
// sources are built for the baseline so the binary runs on any x86-64; the GEMM kernels have their own files.
// Elsewhere (clang, WASM, arm64, non-glibc) it expands to nothing. -ffp-contract=off still applies to the
// clones, so the AVX2 copy rounds exactly like the baseline one.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__) && \
    !defined(NRT_NO_VECTOR_CLONES)
#define NRT_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define NRT_VECTOR_CLONES
#endif
