// AVX-512 dequantization to bf16. Each value is computed with exactly the float operations of
// the scalar quant::dequantize_row_* (same products, same order, no fused multiply-add), then
// rounded once to bf16 by vcvtne2ps2bf16, so the rows equal the reference bit for bit.
#include "base/cpu_features.h"
#include "base/half.h"
#include "kernels/bf16_rows.h"
#include "tensor/quant/blocks.h"

#if defined(__x86_64__)
// A fused a*b-c would round once where the reference rounds twice. (Before the intrinsics, so
// their inline arithmetic is compiled under it too.)
#pragma GCC optimize("-ffp-contract=off")
#endif
#include "kernels/x86_intrinsics.h"

namespace slm::kernels {

#if defined(__x86_64__)
namespace {

using namespace quant;

#define SLM_AVX512_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16,avx2,f16c")))

// 32 floats (lo: values 0..15, hi: 16..31) rounded to bf16 and stored.
SLM_AVX512_BF16 inline void store_bf16(uint16_t* dst, __m512 lo, __m512 hi) {
  _mm512_storeu_si512(dst, reinterpret_cast<__m512i>(_mm512_cvtne2ps_pbh(hi, lo)));
}

// 16 unsigned bytes as floats.
SLM_AVX512_BF16 inline __m512 u8_to_ps(__m128i b) { return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(b)); }
SLM_AVX512_BF16 inline __m512 i8_to_ps(__m128i b) { return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(b)); }

// Q8_0: d * q.
SLM_AVX512_BF16 void q8_0_row(const void* src, uint16_t* dst, int64_t n) {
  const auto* b = static_cast<const BlockQ8_0*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const __m512 d = _mm512_set1_ps(f16_to_f32(b[i].d));
    const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i].qs));
    store_bf16(dst, _mm512_mul_ps(d, i8_to_ps(_mm256_castsi256_si128(q))),
               _mm512_mul_ps(d, i8_to_ps(_mm256_extracti128_si256(q, 1))));
  }
}

// Q4_0: d * (q - 8); byte j holds values j (low nibble) and j + 16 (high nibble).
SLM_AVX512_BF16 void q4_0_row(const void* src, uint16_t* dst, int64_t n) {
  const auto* b = static_cast<const BlockQ4_0*>(src);
  const __m128i low4 = _mm_set1_epi8(15), eight = _mm_set1_epi8(8);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const __m512 d = _mm512_set1_ps(f16_to_f32(b[i].d));
    const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b[i].qs));
    const __m128i lo = _mm_sub_epi8(_mm_and_si128(q, low4), eight);
    const __m128i hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(q, 4), low4), eight);
    store_bf16(dst, _mm512_mul_ps(d, i8_to_ps(lo)), _mm512_mul_ps(d, i8_to_ps(hi)));
  }
}

// 32 codes of one Q4_K/Q5_K group: (d * sc) * q - dmin * m.
SLM_AVX512_BF16 inline void k4_group(uint16_t* dst, __m256i codes, float d1, float m1) {
  const __m512 d = _mm512_set1_ps(d1), m = _mm512_set1_ps(m1);
  store_bf16(dst, _mm512_sub_ps(_mm512_mul_ps(d, u8_to_ps(_mm256_castsi256_si128(codes))), m),
             _mm512_sub_ps(_mm512_mul_ps(d, u8_to_ps(_mm256_extracti128_si256(codes, 1))), m));
}

template <bool kFifthBit, typename B>
SLM_AVX512_BF16 void k4_row(const void* src, uint16_t* dst, int64_t n) {
  const auto* b = static_cast<const B*>(src);
  const __m256i low4 = _mm256_set1_epi8(15), one = _mm256_set1_epi8(1);
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float d = f16_to_f32(b[i].d), dmin = f16_to_f32(b[i].dmin);
    alignas(8) uint8_t sc[8], mn[8];
    k4_scales_mins(b[i].scales, sc, mn);
    __m256i qh;
    if constexpr (kFifthBit) qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i].qh));
    for (int j = 0; j < 4; ++j, dst += 64) {
      const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i].qs + 32 * j));
      __m256i lo = _mm256_and_si256(q, low4), hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), low4);
      if constexpr (kFifthBit) {
        lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * j), one), 4));
        hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * j + 1), one), 4));
      }
      k4_group(dst, lo, d * sc[2 * j], dmin * mn[2 * j]);
      k4_group(dst + 32, hi, d * sc[2 * j + 1], dmin * mn[2 * j + 1]);
    }
  }
}

// Q6_K: (d * sc) * (q - 32), q six bits; 16 values share a scale.
SLM_AVX512_BF16 void q6_k_row(const void* src, uint16_t* dst, int64_t n) {
  const auto* b = static_cast<const BlockQ6_K*>(src);
  const __m256i low4 = _mm256_set1_epi8(15), two = _mm256_set1_epi8(3), offset = _mm256_set1_epi8(32);
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float d = f16_to_f32(b[i].d);
    for (int half = 0; half < 2; ++half, dst += 128) {
      const uint8_t* ql = b[i].ql + 64 * half;
      const int8_t* sc = b[i].scales + 8 * half;
      const __m256i ql0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql));
      const __m256i ql1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 32));
      const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i].qh + 32 * half));
      const auto code = [&](__m256i low, int shift) {
        const __m256i high = _mm256_and_si256(_mm256_srli_epi16(qh, shift), two);
        return _mm256_sub_epi8(_mm256_or_si256(low, _mm256_slli_epi16(high, 4)), offset);
      };
      const __m256i q[4] = {code(_mm256_and_si256(ql0, low4), 0), code(_mm256_and_si256(ql1, low4), 2),
                            code(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low4), 4),
                            code(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low4), 6)};
      for (int k = 0; k < 4; ++k) {  // values 32k .. 32k+31: groups 2k (first 16) and 2k+1
        const __m512 d0 = _mm512_set1_ps(d * sc[2 * k]), d1 = _mm512_set1_ps(d * sc[2 * k + 1]);
        store_bf16(dst + 32 * k, _mm512_mul_ps(d0, i8_to_ps(_mm256_castsi256_si128(q[k]))),
                   _mm512_mul_ps(d1, i8_to_ps(_mm256_extracti128_si256(q[k], 1))));
      }
    }
  }
}

SLM_AVX512_BF16 void f32_row(const float* x, uint16_t* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) store_bf16(dst + i, _mm512_loadu_ps(x + i), _mm512_loadu_ps(x + i + 16));
  for (; i < n; ++i) dst[i] = f32_to_bf16(x[i]);
}

bool usable() {
  const auto& f = cpu_features();
  return f.avx512f && f.avx512bw && f.avx512bf16 && f.f16c;
}

}  // namespace
#endif

Bf16RowFn bf16_row_avx512(DType t) {
#if defined(__x86_64__)
  if (!usable()) return nullptr;
  switch (t) {
    case DType::Q8_0: return q8_0_row;
    case DType::Q4_0: return q4_0_row;
    case DType::Q4_K: return k4_row<false, BlockQ4_K>;
    case DType::Q5_K: return k4_row<true, BlockQ5_K>;
    case DType::Q6_K: return q6_k_row;
    default: return nullptr;
  }
#else
  return nullptr;
#endif
}

void f32_to_bf16_row(const float* x, uint16_t* dst, int64_t n) {
#if defined(__x86_64__)
  static const bool vector = usable();
  if (vector) return f32_row(x, dst, n);
#endif
  f32_to_bf16_row_reference(x, dst, n);
}

}  // namespace slm::kernels
