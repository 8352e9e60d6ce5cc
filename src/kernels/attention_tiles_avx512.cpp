// AVX-512F attention tiles: 16 query rows per vector. The GEMM tile keeps R rows x NV vectors of
// accumulators (up to 24 of the 32 registers) and broadcasts one cache element per row and step,
// so every loaded vector feeds R fused multiply-adds. The kernels themselves are
// attention_tiles_simd.h over the vector type below.
#include "base/cpu_features.h"
#include "kernels/attention_tiles.h"

#if defined(__x86_64__)
// GCC 12's AVX-512 intrinsics start from _mm512_undefined_*(), which -Wuninitialized flags.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma,f16c")
#include "kernels/attention_tiles_simd.h"

namespace slm::kernels {
namespace {

struct Avx512 {
  using reg = __m512;
  static constexpr int kWidth = 16;
  static constexpr int kGemmRows[4] = {16, 12, 8, 6};
  static constexpr int kGemmTail = 4;
  static constexpr int kPvWide = 8, kPvNarrow = 4;

  static reg zero() { return _mm512_setzero_ps(); }
  static reg load(const float* p) { return _mm512_loadu_ps(p); }
  static reg load(const uint16_t* p) { return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))); }
  static void store(float* p, reg x) { _mm512_storeu_ps(p, x); }
  static reg set1(float f) { return _mm512_set1_ps(f); }
  static reg add(reg a, reg b) { return _mm512_add_ps(a, b); }
  static reg sub(reg a, reg b) { return _mm512_sub_ps(a, b); }
  static reg mul(reg a, reg b) { return _mm512_mul_ps(a, b); }
  static reg max(reg a, reg b) { return _mm512_max_ps(a, b); }
  static reg fmadd(reg a, reg b, reg c) { return _mm512_fmadd_ps(a, b, c); }

  // e^x: x = n·ln2 + r with |r| <= ln2/2, e^r by its degree-7 Taylor polynomial (relative error
  // below 1e-7), times 2^n by scalef. Results below FLT_MIN are flushed to 0 (no denormals reach
  // the P·V products; -inf gives 0).
  static reg exp(reg x) {
    const __mmask16 live = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.0f), _CMP_GE_OQ);
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.0f)), _mm512_set1_ps(88.0f));
    const reg n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                       _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    reg r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187045e-06f), r);
    reg p = _mm512_set1_ps(1.0f / 5040);
    for (float c : {1.0f / 720, 1.0f / 120, 1.0f / 24, 1.0f / 6, 0.5f, 1.0f, 1.0f}) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(c));
    return _mm512_maskz_mov_ps(live, _mm512_scalef_ps(p, n));
  }

  static float hsum(reg v) { return _mm512_reduce_add_ps(v); }
};

}  // namespace
}  // namespace slm::kernels
#pragma GCC pop_options
#endif

namespace slm::kernels {

const AttentionTiles* attention_tiles_avx512() {
#if defined(__x86_64__)
  const auto& f = cpu_features();
  if (!(f.avx512f && f.avx2 && f.fma && f.f16c)) return nullptr;
  static const AttentionTiles t = SimdTiles<Avx512>::table("avx512");
  return &t;
#else
  return nullptr;
#endif
}

}  // namespace slm::kernels
