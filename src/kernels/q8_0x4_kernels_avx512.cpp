// AVX-512 kernels over Q8_0x4 groups.
//
// Dot: one 512-bit load holds 16 codes of each of the four rows (row r in lanes 4r..4r+3), so
// the activation's 16 codes broadcast to all four 128-bit lanes pair with them directly, and
// vpdpbusd sums four products per lane with no shuffles. The codes are stored as q + 128; the
// 128·Σx that adds to each row's block sum is removed by starting one lane of each row at
// -128·Σx (the activation block's sum). Per block and token: two vpdpbusd, one conversion and
// one multiply-add for 128 weights.
#include "base/cpu_features.h"
#include "kernels/q8_0x4_kernels.h"
#include "tensor/quant/blocks.h"
#include "tensor/quant/q8_0x4.h"
#include "kernels/x86_intrinsics.h"


namespace slm::kernels {

#if defined(__x86_64__)
namespace {

using namespace quant;

#define SLM_UNROLL _Pragma("GCC unroll 8")
#define SLM_AVX512_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c")))
#define SLM_AVX512_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16,avx2,f16c")))

// As the plain Q8_0 decode kernel: the group is one stream, prefetched 2 KiB ahead.
constexpr int kPrefetchBytes = 2048;

template <int NT>
SLM_AVX512_VNNI void dot_tile(const void* group, const void* x, size_t stride, int64_t n, float* out) {
  const auto* g = static_cast<const uint8_t*>(group);
  const ActBlock32* xb[NT];
  __m512 acc[NT];
  SLM_UNROLL
  for (int t = 0; t < NT; ++t) {
    xb[t] = reinterpret_cast<const ActBlock32*>(static_cast<const uint8_t*>(x) + t * stride);
    acc[t] = _mm512_setzero_ps();
  }
  // Lanes 4r..4r+3 take row r's scale.
  const __m512i spread = _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0);
  for (int64_t s = 0; s < n / kQ8x4SpanValues; ++s) {
    const uint8_t* span = g + s * kQ8x4SpanBytes;
    _mm_prefetch(reinterpret_cast<const char*>(span) + kPrefetchBytes, _MM_HINT_T0);
    // Not unrolled: the compiler would hoist the span's seventeen prefetches into one burst,
    // which stalls on the line fill buffers; spread out, each block issues its own two.
#pragma GCC unroll 1
    for (int j = 0; j < 8; ++j) {
      const uint8_t* codes = span + q8x4_code_offset(j, 0, 0);  // both halves, all four rows: 128 bytes
      _mm_prefetch(reinterpret_cast<const char*>(codes) + kPrefetchBytes, _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(codes) + 64 + kPrefetchBytes, _MM_HINT_T0);
      const __m512i u0 = _mm512_loadu_si512(codes), u1 = _mm512_loadu_si512(codes + 64);
      const __m128 d4 = _mm_cvtph_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(span + q8x4_scale_offset(j, 0))));
      const __m512 dw = _mm512_permutexvar_ps(spread, _mm512_castps128_ps512(d4));
      SLM_UNROLL
      for (int t = 0; t < NT; ++t) {
        const ActBlock32& a = xb[t][8 * s + j];
        __m512i sum = _mm512_maskz_set1_epi32(0x1111, -128 * a.sum);
        sum = _mm512_dpbusd_epi32(sum, u0, _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a.qs))));
        sum = _mm512_dpbusd_epi32(sum, u1, _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a.qs + 16))));
        acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum), _mm512_mul_ps(dw, _mm512_set1_ps(a.d)), acc[t]);
      }
    }
  }
  SLM_UNROLL
  for (int t = 0; t < NT; ++t) {
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, acc[t]);
    for (int r = 0; r < 4; ++r)
      out[4 * t + r] = (lanes[4 * r] + lanes[4 * r + 1]) + (lanes[4 * r + 2] + lanes[4 * r + 3]);
  }
}

void dot(const void* group, const void* x, size_t stride, int nt, int64_t n, float* out) {
  switch (nt) {
    case 1: return dot_tile<1>(group, x, stride, n, out);
    case 2: return dot_tile<2>(group, x, stride, n, out);
    case 3: return dot_tile<3>(group, x, stride, n, out);
    case 4: return dot_tile<4>(group, x, stride, n, out);
    case 5: return dot_tile<5>(group, x, stride, n, out);
    case 6: return dot_tile<6>(group, x, stride, n, out);
    case 7: return dot_tile<7>(group, x, stride, n, out);
    default: return dot_tile<8>(group, x, stride, n, out);
  }
}

// d * (u - 128) per value, as dequantize_row_q8_0 computes d * q, rounded once to bf16.
SLM_AVX512_BF16 void to_bf16(const void* group, int64_t k0, int64_t len, uint16_t* dst, int64_t dst_stride) {
  const auto* g = static_cast<const uint8_t*>(group);
  const __m512i offset = _mm512_set1_epi32(128);
  for (int64_t k = k0; k < k0 + len; k += kQ8x4SpanValues) {
    const uint8_t* span = g + k / kQ8x4SpanValues * kQ8x4SpanBytes;
    for (int j = 0; j < 8; ++j) {
      const __m128 d4 = _mm_cvtph_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(span + q8x4_scale_offset(j, 0))));
      alignas(16) float d[4];
      _mm_store_ps(d, d4);
      for (int r = 0; r < 4; ++r) {
        const __m512 dr = _mm512_set1_ps(d[r]);
        __m512 half[2];
        for (int h = 0; h < 2; ++h) {
          const __m128i u = _mm_loadu_si128(reinterpret_cast<const __m128i*>(span + q8x4_code_offset(j, h, r)));
          half[h] = _mm512_mul_ps(dr, _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_cvtepu8_epi32(u), offset)));
        }
        uint16_t* out = dst + r * dst_stride + (k - k0) + 32 * j;
        _mm512_storeu_si512(out, reinterpret_cast<__m512i>(_mm512_cvtne2ps_pbh(half[1], half[0])));
      }
    }
  }
}

}  // namespace
#endif

Q8x4DotFn q8_0x4_dot_avx512() {
#if defined(__x86_64__)
  const auto& f = cpu_features();
  if (f.avx512f && f.avx512bw && f.avx512vnni && f.f16c && __builtin_cpu_supports("avx512vl")) return dot;
#endif
  return nullptr;
}

Q8x4Bf16Fn q8_0x4_to_bf16_avx512() {
#if defined(__x86_64__)
  const auto& f = cpu_features();
  if (f.avx512f && f.avx512bw && f.avx512bf16 && f.f16c) return to_bf16;
#endif
  return nullptr;
}

}  // namespace slm::kernels
