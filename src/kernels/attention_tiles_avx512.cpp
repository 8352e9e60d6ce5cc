// AVX-512F attention tiles: 16 query rows per vector. The GEMM tile keeps R rows x NV vectors of
// accumulators (up to 24 of the 32 registers) and broadcasts one cache element per row and step,
// so every loaded vector feeds R fused multiply-adds.
#include <algorithm>
#include <cfloat>

#include "base/cpu_features.h"
#include "kernels/attention_tiles.h"

#if defined(__x86_64__)
// GCC 12's AVX-512 intrinsics start from _mm512_undefined_*(), which -Wuninitialized flags.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#endif

namespace slm::kernels {

#if defined(__x86_64__)
namespace {

#define SLM_AVX512 __attribute__((target("avx512f,avx2,fma")))
// Tile loops must be fully unrolled so the accumulators stay in registers (-O2 does not by itself).
#define SLM_UNROLL _Pragma("GCC unroll 16")

constexpr int W = 16;

// e^x: x = n·ln2 + r with |r| <= ln2/2, e^r by its degree-7 Taylor polynomial (relative error
// below 1e-7), times 2^n by scalef. Results below FLT_MIN are flushed to 0 (no denormals reach
// the P·V products; -inf gives 0).
SLM_AVX512 inline __m512 exp16(__m512 x) {
  const __mmask16 live = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.0f), _CMP_GE_OQ);
  x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.0f)), _mm512_set1_ps(88.0f));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187045e-06f), r);
  __m512 p = _mm512_set1_ps(1.0f / 5040);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  return _mm512_maskz_mov_ps(live, _mm512_scalef_ps(p, n));
}

template <int NV, int R>
SLM_AVX512 inline void gemm_tile(const float* a, int64_t a_rs, int64_t a_ks, const float* b, int64_t depth,
                                 int64_t mp, const float* alpha, bool accumulate, float* c) {
  __m512 acc[R][NV];
  if (accumulate) {
    __m512 al[NV];
    SLM_UNROLL for (int v = 0; v < NV; ++v) al[v] = alpha ? _mm512_loadu_ps(alpha + v * W) : _mm512_set1_ps(1.0f);
    SLM_UNROLL for (int r = 0; r < R; ++r)
      SLM_UNROLL for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_mul_ps(_mm512_loadu_ps(c + r * mp + v * W), al[v]);
  } else {
    SLM_UNROLL for (int r = 0; r < R; ++r)
      SLM_UNROLL for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
  }
  for (int64_t i = 0; i < depth; ++i) {
    const float* ai = a + i * a_ks;
    __m512 bv[NV];
    SLM_UNROLL for (int v = 0; v < NV; ++v) bv[v] = _mm512_loadu_ps(b + i * mp + v * W);
    SLM_UNROLL for (int r = 0; r < R; ++r) {
      const __m512 ar = _mm512_set1_ps(ai[r * a_rs]);
      SLM_UNROLL for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(ar, bv[v], acc[r][v]);
    }
  }
  SLM_UNROLL for (int r = 0; r < R; ++r)
    SLM_UNROLL for (int v = 0; v < NV; ++v) _mm512_storeu_ps(c + r * mp + v * W, acc[r][v]);
}

// Rows in tiles of R_MAIN, then 4, then 1.
template <int NV, int R_MAIN>
SLM_AVX512 void gemm_nv(const float* a, int64_t a_rs, int64_t a_ks, int64_t rows, const float* b, int64_t depth,
                        int64_t mp, const float* alpha, bool accumulate, float* c) {
  int64_t r = 0;
  for (; r + R_MAIN <= rows; r += R_MAIN)
    gemm_tile<NV, R_MAIN>(a + r * a_rs, a_rs, a_ks, b, depth, mp, alpha, accumulate, c + r * mp);
  for (; r + 4 <= rows; r += 4) gemm_tile<NV, 4>(a + r * a_rs, a_rs, a_ks, b, depth, mp, alpha, accumulate, c + r * mp);
  for (; r < rows; ++r) gemm_tile<NV, 1>(a + r * a_rs, a_rs, a_ks, b, depth, mp, alpha, accumulate, c + r * mp);
}

SLM_AVX512 void gemm(const float* a, int64_t a_rs, int64_t a_ks, int64_t rows, const float* b, int64_t depth,
                     int64_t mp, const float* alpha, bool accumulate, float* c) {
  switch (mp / W) {
    case 1: return gemm_nv<1, 16>(a, a_rs, a_ks, rows, b, depth, mp, alpha, accumulate, c);
    case 2: return gemm_nv<2, 12>(a, a_rs, a_ks, rows, b, depth, mp, alpha, accumulate, c);
    case 3: return gemm_nv<3, 8>(a, a_rs, a_ks, rows, b, depth, mp, alpha, accumulate, c);
    default: return gemm_nv<4, 6>(a, a_rs, a_ks, rows, b, depth, mp, alpha, accumulate, c);
  }
}

SLM_AVX512 void softmax_step(float* st, int64_t n, int64_t mp, float* run_max, float* alpha, float* sum) {
  for (int64_t m = 0; m < mp; m += W) {
    const __m512 old = _mm512_loadu_ps(run_max + m);
    __m512 mx = old;
    for (int64_t j = 0; j < n; ++j) mx = _mm512_max_ps(mx, _mm512_loadu_ps(st + j * mp + m));
    __m512 s = _mm512_setzero_ps();
    for (int64_t j = 0; j < n; ++j) {
      const __m512 p = exp16(_mm512_sub_ps(_mm512_loadu_ps(st + j * mp + m), mx));
      _mm512_storeu_ps(st + j * mp + m, p);
      s = _mm512_add_ps(s, p);
    }
    _mm512_storeu_ps(alpha + m, exp16(_mm512_sub_ps(old, mx)));
    _mm512_storeu_ps(sum + m, s);
    _mm512_storeu_ps(run_max + m, mx);
  }
}

// RG query rows against NK keys at once: independent chains for the pipeline and several cache
// rows in flight.
template <int RG, int NK>
SLM_AVX512 inline void dot_tile(const float* q, const float* k, int64_t k_stride, int64_t d, float* st, int64_t mp) {
  __m512 acc[NK][RG];
  SLM_UNROLL for (int j = 0; j < NK; ++j)
    SLM_UNROLL for (int r = 0; r < RG; ++r) acc[j][r] = _mm512_setzero_ps();
  for (int64_t i = 0; i < d; i += W) {
    SLM_UNROLL for (int j = 0; j < NK; ++j) {
      const __m512 kv = _mm512_loadu_ps(k + j * k_stride + i);
      SLM_UNROLL for (int r = 0; r < RG; ++r) acc[j][r] = _mm512_fmadd_ps(_mm512_loadu_ps(q + r * d + i), kv, acc[j][r]);
    }
  }
  SLM_UNROLL for (int j = 0; j < NK; ++j)
    SLM_UNROLL for (int r = 0; r < RG; ++r) st[j * mp + r] = _mm512_reduce_add_ps(acc[j][r]);
}

template <int RG>
SLM_AVX512 void dot_group(const float* q, const float* k, int64_t k_stride, int64_t n, int64_t d, float* st,
                          int64_t mp) {
  constexpr int NK = RG <= 2 ? 4 : 2;
  int64_t j = 0;
  for (; j + NK <= n; j += NK) dot_tile<RG, NK>(q, k + j * k_stride, k_stride, d, st + j * mp, mp);
  for (; j < n; ++j) dot_tile<RG, 1>(q, k + j * k_stride, k_stride, d, st + j * mp, mp);
}

SLM_AVX512 void dot_rows(const float* q, int64_t rows, const float* k, int64_t k_stride, int64_t n, int64_t d,
                         float* st, int64_t mp) {
  for (int64_t r = 0; r < rows; r += 4) {
    const float* qr = q + r * d;
    switch (std::min<int64_t>(4, rows - r)) {
      case 1: dot_group<1>(qr, k, k_stride, n, d, st + r, mp); break;
      case 2: dot_group<2>(qr, k, k_stride, n, d, st + r, mp); break;
      case 3: dot_group<3>(qr, k, k_stride, n, d, st + r, mp); break;
      default: dot_group<4>(qr, k, k_stride, n, d, st + r, mp); break;
    }
  }
}

template <int RG, int NVD>
SLM_AVX512 inline void pv_tile(const float* st, int64_t mp, const float* v, int64_t v_stride, int64_t n, int64_t d,
                               const float* alpha, float* o) {
  __m512 acc[RG][NVD];
  SLM_UNROLL for (int r = 0; r < RG; ++r) {
    const __m512 al = _mm512_set1_ps(alpha ? alpha[r] : 1.0f);
    SLM_UNROLL for (int u = 0; u < NVD; ++u) acc[r][u] = _mm512_mul_ps(_mm512_loadu_ps(o + r * d + u * W), al);
  }
  for (int64_t j = 0; j < n; ++j) {
    __m512 vv[NVD];
    SLM_UNROLL for (int u = 0; u < NVD; ++u) vv[u] = _mm512_loadu_ps(v + j * v_stride + u * W);
    SLM_UNROLL for (int r = 0; r < RG; ++r) {
      const __m512 p = _mm512_set1_ps(st[j * mp + r]);
      SLM_UNROLL for (int u = 0; u < NVD; ++u) acc[r][u] = _mm512_fmadd_ps(p, vv[u], acc[r][u]);
    }
  }
  SLM_UNROLL for (int r = 0; r < RG; ++r)
    SLM_UNROLL for (int u = 0; u < NVD; ++u) _mm512_storeu_ps(o + r * d + u * W, acc[r][u]);
}

template <int RG>
SLM_AVX512 void pv_group(const float* st, int64_t mp, const float* v, int64_t v_stride, int64_t n, int64_t d,
                         const float* alpha, float* o) {
  constexpr int NVD = RG <= 2 ? 8 : 4;
  int64_t i = 0;
  for (; i + NVD * W <= d; i += NVD * W) pv_tile<RG, NVD>(st, mp, v + i, v_stride, n, d, alpha, o + i);
  for (; i < d; i += W) pv_tile<RG, 1>(st, mp, v + i, v_stride, n, d, alpha, o + i);
}

SLM_AVX512 void pv_rows(const float* st, int64_t mp, int64_t rows, const float* v, int64_t v_stride, int64_t n,
                        int64_t d, const float* alpha, float* o) {
  for (int64_t r = 0; r < rows; r += 4) {
    const float* al = alpha ? alpha + r : nullptr;
    switch (std::min<int64_t>(4, rows - r)) {
      case 1: pv_group<1>(st + r, mp, v, v_stride, n, d, al, o + r * d); break;
      case 2: pv_group<2>(st + r, mp, v, v_stride, n, d, al, o + r * d); break;
      case 3: pv_group<3>(st + r, mp, v, v_stride, n, d, al, o + r * d); break;
      default: pv_group<4>(st + r, mp, v, v_stride, n, d, al, o + r * d); break;
    }
  }
}

}  // namespace
#endif

const AttentionTiles* attention_tiles_avx512() {
#if defined(__x86_64__)
  const auto& f = cpu_features();
  if (!(f.avx512f && f.avx2 && f.fma)) return nullptr;
  static const AttentionTiles t{"avx512", W, 4 * W, gemm, softmax_step, dot_rows, pv_rows};
  return &t;
#else
  return nullptr;
#endif
}

}  // namespace slm::kernels
