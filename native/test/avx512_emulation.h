// A plain C++ model of the AVX-512F intrinsics the GEMM kernel uses, lane by lane. fmadd is fused (std::fma),
// masked loads read only the selected lanes (so they are as safe at the end of an array as the real ones).
#pragma once

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>  // _mm_prefetch, _MM_HINT_T0
#else
#define _MM_HINT_T0 3
inline void _mm_prefetch(const char*, int) {}
#endif

#include <cmath>
#include <cstdint>

struct __m512 {
  float v[16];
};
using __mmask16 = uint16_t;

inline __m512 _mm512_setzero_ps() {
  __m512 r;
  for (int i = 0; i < 16; i++) r.v[i] = 0.0f;
  return r;
}
inline __m512 _mm512_set1_ps(float x) {
  __m512 r;
  for (int i = 0; i < 16; i++) r.v[i] = x;
  return r;
}
inline __m512 _mm512_loadu_ps(const void* p) {
  __m512 r;
  for (int i = 0; i < 16; i++) r.v[i] = static_cast<const float*>(p)[i];
  return r;
}
inline void _mm512_storeu_ps(void* p, __m512 a) {
  for (int i = 0; i < 16; i++) static_cast<float*>(p)[i] = a.v[i];
}
inline __m512 _mm512_maskz_loadu_ps(__mmask16 k, const void* p) {
  __m512 r;
  for (int i = 0; i < 16; i++) r.v[i] = (k >> i) & 1 ? static_cast<const float*>(p)[i] : 0.0f;
  return r;
}
inline void _mm512_mask_storeu_ps(void* p, __mmask16 k, __m512 a) {
  for (int i = 0; i < 16; i++)
    if ((k >> i) & 1) static_cast<float*>(p)[i] = a.v[i];
}
inline __m512 _mm512_add_ps(__m512 a, __m512 b) {
  __m512 r;
  for (int i = 0; i < 16; i++) r.v[i] = a.v[i] + b.v[i];
  return r;
}
inline __m512 _mm512_fmadd_ps(__m512 a, __m512 b, __m512 c) {
  __m512 r;
  for (int i = 0; i < 16; i++) r.v[i] = std::fma(a.v[i], b.v[i], c.v[i]);
  return r;
}
