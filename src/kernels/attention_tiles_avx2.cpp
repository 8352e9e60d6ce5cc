// AVX2 + FMA attention tiles: 8 query rows per vector. The same shapes as the AVX-512 variant
// with fewer accumulators (16 registers).
#include <algorithm>

#include "base/cpu_features.h"
#include "kernels/attention_tiles.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace slm::kernels {

#if defined(__x86_64__)
namespace {

#define SLM_AVX2 __attribute__((target("avx2,fma")))
// Tile loops must be fully unrolled so the accumulators stay in registers (-O2 does not by itself).
#define SLM_UNROLL _Pragma("GCC unroll 16")

constexpr int W = 8;

// e^x: x = n·ln2 + r with |r| <= ln2/2, e^r by its degree-7 Taylor polynomial (relative error
// below 1e-7), times 2^n built in the exponent bits. Below e^-87 (near FLT_MIN) the result is 0.
SLM_AVX2 inline __m256 exp8(__m256 x) {
  const __m256 live = _mm256_cmp_ps(x, _mm256_set1_ps(-87.0f), _CMP_GE_OQ);
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(88.0f));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145751953125f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.428606765330187045e-06f), r);
  __m256 p = _mm256_set1_ps(1.0f / 5040);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  // n is in [-126, 127] after the clamp, so (n + 127) << 23 is a normal power of two.
  const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_and_ps(_mm256_mul_ps(p, _mm256_castsi256_ps(e)), live);
}

SLM_AVX2 inline float hsum(__m256 v) {
  __m128 lo = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
  lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
  return _mm_cvtss_f32(lo);
}

template <int NV, int R>
SLM_AVX2 inline void gemm_tile(const float* a, int64_t a_rs, int64_t a_ks, const float* b, int64_t depth,
                               int64_t mp, const float* alpha, bool accumulate, float* c) {
  __m256 acc[R][NV];
  if (accumulate) {
    __m256 al[NV];
    SLM_UNROLL for (int v = 0; v < NV; ++v) al[v] = alpha ? _mm256_loadu_ps(alpha + v * W) : _mm256_set1_ps(1.0f);
    SLM_UNROLL for (int r = 0; r < R; ++r)
      SLM_UNROLL for (int v = 0; v < NV; ++v) acc[r][v] = _mm256_mul_ps(_mm256_loadu_ps(c + r * mp + v * W), al[v]);
  } else {
    SLM_UNROLL for (int r = 0; r < R; ++r)
      SLM_UNROLL for (int v = 0; v < NV; ++v) acc[r][v] = _mm256_setzero_ps();
  }
  for (int64_t i = 0; i < depth; ++i) {
    const float* ai = a + i * a_ks;
    __m256 bv[NV];
    SLM_UNROLL for (int v = 0; v < NV; ++v) bv[v] = _mm256_loadu_ps(b + i * mp + v * W);
    SLM_UNROLL for (int r = 0; r < R; ++r) {
      const __m256 ar = _mm256_broadcast_ss(ai + r * a_rs);
      SLM_UNROLL for (int v = 0; v < NV; ++v) acc[r][v] = _mm256_fmadd_ps(ar, bv[v], acc[r][v]);
    }
  }
  SLM_UNROLL for (int r = 0; r < R; ++r)
    SLM_UNROLL for (int v = 0; v < NV; ++v) _mm256_storeu_ps(c + r * mp + v * W, acc[r][v]);
}

// Rows in tiles of R_MAIN, then 2, then 1.
template <int NV, int R_MAIN>
SLM_AVX2 void gemm_nv(const float* a, int64_t a_rs, int64_t a_ks, int64_t rows, const float* b, int64_t depth,
                      int64_t mp, const float* alpha, bool accumulate, float* c) {
  int64_t r = 0;
  for (; r + R_MAIN <= rows; r += R_MAIN)
    gemm_tile<NV, R_MAIN>(a + r * a_rs, a_rs, a_ks, b, depth, mp, alpha, accumulate, c + r * mp);
  for (; r + 2 <= rows; r += 2) gemm_tile<NV, 2>(a + r * a_rs, a_rs, a_ks, b, depth, mp, alpha, accumulate, c + r * mp);
  for (; r < rows; ++r) gemm_tile<NV, 1>(a + r * a_rs, a_rs, a_ks, b, depth, mp, alpha, accumulate, c + r * mp);
}

SLM_AVX2 void gemm(const float* a, int64_t a_rs, int64_t a_ks, int64_t rows, const float* b, int64_t depth,
                   int64_t mp, const float* alpha, bool accumulate, float* c) {
  switch (mp / W) {
    case 1: return gemm_nv<1, 12>(a, a_rs, a_ks, rows, b, depth, mp, alpha, accumulate, c);
    case 2: return gemm_nv<2, 6>(a, a_rs, a_ks, rows, b, depth, mp, alpha, accumulate, c);
    case 3: return gemm_nv<3, 3>(a, a_rs, a_ks, rows, b, depth, mp, alpha, accumulate, c);
    default: return gemm_nv<4, 2>(a, a_rs, a_ks, rows, b, depth, mp, alpha, accumulate, c);
  }
}

SLM_AVX2 void softmax_step(float* st, int64_t n, int64_t mp, float* run_max, float* alpha, float* sum) {
  for (int64_t m = 0; m < mp; m += W) {
    const __m256 old = _mm256_loadu_ps(run_max + m);
    __m256 mx = old;
    for (int64_t j = 0; j < n; ++j) mx = _mm256_max_ps(mx, _mm256_loadu_ps(st + j * mp + m));
    __m256 s = _mm256_setzero_ps();
    for (int64_t j = 0; j < n; ++j) {
      const __m256 p = exp8(_mm256_sub_ps(_mm256_loadu_ps(st + j * mp + m), mx));
      _mm256_storeu_ps(st + j * mp + m, p);
      s = _mm256_add_ps(s, p);
    }
    _mm256_storeu_ps(alpha + m, exp8(_mm256_sub_ps(old, mx)));
    _mm256_storeu_ps(sum + m, s);
    _mm256_storeu_ps(run_max + m, mx);
  }
}

template <int RG, int NK>
SLM_AVX2 inline void dot_tile(const float* q, const float* k, int64_t k_stride, int64_t d, float* st, int64_t mp) {
  __m256 acc[NK][RG];
  SLM_UNROLL for (int j = 0; j < NK; ++j)
    SLM_UNROLL for (int r = 0; r < RG; ++r) acc[j][r] = _mm256_setzero_ps();
  for (int64_t i = 0; i < d; i += W) {
    SLM_UNROLL for (int j = 0; j < NK; ++j) {
      const __m256 kv = _mm256_loadu_ps(k + j * k_stride + i);
      SLM_UNROLL for (int r = 0; r < RG; ++r) acc[j][r] = _mm256_fmadd_ps(_mm256_loadu_ps(q + r * d + i), kv, acc[j][r]);
    }
  }
  SLM_UNROLL for (int j = 0; j < NK; ++j)
    SLM_UNROLL for (int r = 0; r < RG; ++r) st[j * mp + r] = hsum(acc[j][r]);
}

template <int RG>
SLM_AVX2 void dot_group(const float* q, const float* k, int64_t k_stride, int64_t n, int64_t d, float* st,
                        int64_t mp) {
  constexpr int NK = RG <= 2 ? 4 : 2;
  int64_t j = 0;
  for (; j + NK <= n; j += NK) dot_tile<RG, NK>(q, k + j * k_stride, k_stride, d, st + j * mp, mp);
  for (; j < n; ++j) dot_tile<RG, 1>(q, k + j * k_stride, k_stride, d, st + j * mp, mp);
}

SLM_AVX2 void dot_rows(const float* q, int64_t rows, const float* k, int64_t k_stride, int64_t n, int64_t d, float* st,
                       int64_t mp) {
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
SLM_AVX2 inline void pv_tile(const float* st, int64_t mp, const float* v, int64_t v_stride, int64_t n, int64_t d,
                             const float* alpha, float* o) {
  __m256 acc[RG][NVD];
  SLM_UNROLL for (int r = 0; r < RG; ++r) {
    const __m256 al = _mm256_set1_ps(alpha ? alpha[r] : 1.0f);
    SLM_UNROLL for (int u = 0; u < NVD; ++u) acc[r][u] = _mm256_mul_ps(_mm256_loadu_ps(o + r * d + u * W), al);
  }
  for (int64_t j = 0; j < n; ++j) {
    __m256 vv[NVD];
    SLM_UNROLL for (int u = 0; u < NVD; ++u) vv[u] = _mm256_loadu_ps(v + j * v_stride + u * W);
    SLM_UNROLL for (int r = 0; r < RG; ++r) {
      const __m256 p = _mm256_broadcast_ss(st + j * mp + r);
      SLM_UNROLL for (int u = 0; u < NVD; ++u) acc[r][u] = _mm256_fmadd_ps(p, vv[u], acc[r][u]);
    }
  }
  SLM_UNROLL for (int r = 0; r < RG; ++r)
    SLM_UNROLL for (int u = 0; u < NVD; ++u) _mm256_storeu_ps(o + r * d + u * W, acc[r][u]);
}

template <int RG>
SLM_AVX2 void pv_group(const float* st, int64_t mp, const float* v, int64_t v_stride, int64_t n, int64_t d,
                       const float* alpha, float* o) {
  constexpr int NVD = RG <= 2 ? 4 : 2;
  int64_t i = 0;
  for (; i + NVD * W <= d; i += NVD * W) pv_tile<RG, NVD>(st, mp, v + i, v_stride, n, d, alpha, o + i);
  for (; i < d; i += W) pv_tile<RG, 1>(st, mp, v + i, v_stride, n, d, alpha, o + i);
}

SLM_AVX2 void pv_rows(const float* st, int64_t mp, int64_t rows, const float* v, int64_t v_stride, int64_t n, int64_t d,
                      const float* alpha, float* o) {
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

const AttentionTiles* attention_tiles_avx2() {
#if defined(__x86_64__)
  const auto& f = cpu_features();
  if (!(f.avx2 && f.fma)) return nullptr;
  static const AttentionTiles t{"avx2", W, 4 * W, gemm, softmax_step, dot_rows, pv_rows};
  return &t;
#else
  return nullptr;
#endif
}

}  // namespace slm::kernels
