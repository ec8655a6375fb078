// NRT_VECTOR_CLONES: compile a hot element-wise loop twice, for x86-64-v3 (AVX2) and the baseline, and let the
// dynamic loader pick one per CPU (GCC's target_clones, resolved once through an ifunc). The core's other
// sources are built for the baseline so the binary runs on any x86-64; the GEMM kernels have their own files.
// Elsewhere (clang, WASM, arm64, non-glibc) it expands to nothing. -ffp-contract=off still applies to the
// clones, so the AVX2 copy rounds exactly like the baseline one (except in activation.cpp: see CMakeLists.txt).
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__) && \
    !defined(NRT_NO_VECTOR_CLONES)
#define NRT_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define NRT_VECTOR_CLONES
#endif

// NRT_CLONE_INLINE: on a helper (template, lambda) that a cloned function calls. A call that is not inlined
// runs the helper's own code, built for the baseline: the AVX2 clone would then spend its time in SSE2 loops.
// Forcing the inline puts the helper's loop inside each clone, compiled for that clone's target.
// scripts/check-clones.sh fails the build's tests when a clone still calls into the core's baseline code.
// Without clones (WASM, clang, arm64) the compiler's own inlining stands: forcing it there only grows the code.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__) && \
    !defined(NRT_NO_VECTOR_CLONES)
#define NRT_CLONE_INLINE inline __attribute__((always_inline))
#define NRT_CLONE_INLINE_LAMBDA __attribute__((always_inline))
#else
#define NRT_CLONE_INLINE inline
#define NRT_CLONE_INLINE_LAMBDA
#endif
