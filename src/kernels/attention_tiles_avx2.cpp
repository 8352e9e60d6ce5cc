// AVX2 + FMA attention tiles: 8 query rows per vector, blocking sized for 16 registers.
// The kernels themselves are attention_tiles_simd.h over the vector type below.
#include "base/cpu_features.h"
#include "kernels/attention_tiles.h"

#if defined(__x86_64__)
#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")
#include "kernels/attention_tiles_simd.h"

namespace slm::kernels {
namespace {

struct Avx2 {
  using reg = __m256;
  static constexpr int kWidth = 8;
  static constexpr int kGemmRows[4] = {12, 6, 3, 2};
  static constexpr int kGemmTail = 2;
  static constexpr int kPvWide = 4, kPvNarrow = 2;

  static reg zero() { return _mm256_setzero_ps(); }
  static reg load(const float* p) { return _mm256_loadu_ps(p); }
  static reg load(const uint16_t* p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }
  static void store(float* p, reg x) { _mm256_storeu_ps(p, x); }
  static reg set1(float f) { return _mm256_set1_ps(f); }
  static reg add(reg a, reg b) { return _mm256_add_ps(a, b); }
  static reg sub(reg a, reg b) { return _mm256_sub_ps(a, b); }
  static reg mul(reg a, reg b) { return _mm256_mul_ps(a, b); }
  static reg max(reg a, reg b) { return _mm256_max_ps(a, b); }
  static reg fmadd(reg a, reg b, reg c) { return _mm256_fmadd_ps(a, b, c); }

  // e^x: x = n·ln2 + r with |r| <= ln2/2, e^r by its degree-7 Taylor polynomial (relative error
  // below 1e-7), times 2^n built in the exponent bits. Below e^-87 (near FLT_MIN) the result is 0.
  static reg exp(reg x) {
    const reg live = _mm256_cmp_ps(x, _mm256_set1_ps(-87.0f), _CMP_GE_OQ);
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(88.0f));
    const reg n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                  _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    reg r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145751953125f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.428606765330187045e-06f), r);
    reg p = _mm256_set1_ps(1.0f / 5040);
    for (float c : {1.0f / 720, 1.0f / 120, 1.0f / 24, 1.0f / 6, 0.5f, 1.0f, 1.0f}) p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(c));
    // n is in [-126, 127] after the clamp, so (n + 127) << 23 is a normal power of two.
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_and_ps(_mm256_mul_ps(p, _mm256_castsi256_ps(e)), live);
  }

  static float hsum(reg v) {
    __m128 lo = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
  }
};

}  // namespace
}  // namespace slm::kernels
#pragma GCC pop_options
#endif

namespace slm::kernels {

const AttentionTiles* attention_tiles_avx2() {
#if defined(__x86_64__)
  const auto& f = cpu_features();
  if (!(f.avx2 && f.fma && f.f16c)) return nullptr;
  static const AttentionTiles t = SimdTiles<Avx2>::table("avx2");
  return &t;
#else
  return nullptr;
#endif
}

}  // namespace slm::kernels
