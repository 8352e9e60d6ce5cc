// AVX-512 (F/BW/VL + VNNI) quantized dot products. vpdpbusd multiplies unsigned weight codes by
// signed int8 activations and sums groups of four straight into int32 (no int16 stage, no
// saturation); K-quant group scales are applied by vpdpwssd, which is exact because a lane's
// four-product sum fits int16 (|Σ| <= 4 * 63 * 127 = 32004 for the widest codes, Q6_K).
// K-quants run 64 values per instruction; the 32-value types use the 256-bit forms.
#include "base/cpu_features.h"
#include "kernels/quant_dot.h"
#include "kernels/x86_intrinsics.h"


namespace slm::kernels {

#if defined(__x86_64__)
namespace {

// Token-tile and sub-block loops must be fully unrolled so the accumulators stay in registers
// (-O2 leaves them as arrays in memory).
#define SLM_UNROLL _Pragma("GCC unroll 8")

using namespace quant;

// How far ahead of the weights being read to prefetch: decode streams each weight once from
// DRAM, and the hardware prefetcher alone leaves the loads waiting. (2 KiB measured 2-5% faster
// generation than 1 KiB on Qwen3-0.6B and Llama-3.2-3B shapes, Q8_0 and Q4_K_M.)
constexpr int kPrefetchBytes = 2048;

#define SLM_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c")))

// Every cache line of a block, kPrefetchBytes ahead.
template <typename B>
SLM_AVX512 inline void prefetch_block(const B* b) {
  const char* p = reinterpret_cast<const char*>(b) + kPrefetchBytes;
  for (size_t line = 0; line < sizeof(B); line += 64) _mm_prefetch(p + line, _MM_HINT_T0);
}

SLM_AVX512 inline float half_to_float(uint16_t h) { return _cvtsh_ss(h); }
SLM_AVX512 inline __m256i load32(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }
SLM_AVX512 inline __m512i load64(const void* p) { return _mm512_loadu_si512(p); }
SLM_AVX512 inline __m512i join(__m256i lo, __m256i hi) {
  return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

template <typename A>
const A* act(const void* x, size_t stride, int t) {
  return reinterpret_cast<const A*>(static_cast<const uint8_t*>(x) + t * stride);
}

SLM_AVX512 inline float hsum(__m256 v) {
  __m128 lo = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
  lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
  return _mm_cvtss_f32(lo);
}

SLM_AVX512 inline __m256i unpack_nibbles16(const uint8_t* qs) {
  const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
  return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(q, 4), q), _mm256_set1_epi8(15));
}

// Byte j = 0x10 where bit j of the 32-bit mask is set.
SLM_AVX512 inline __m256i bits_to_bytes(const uint8_t* mask4) {
  uint32_t m;
  __builtin_memcpy(&m, mask4, 4);
  return _mm256_maskz_mov_epi8(static_cast<__mmask32>(m), _mm256_set1_epi8(0x10));
}

SLM_AVX512 inline __m256i signed_codes(const BlockQ8_0& b) { return load32(b.qs); }
SLM_AVX512 inline __m256i signed_codes(const BlockQ4_0& b) {
  return _mm256_sub_epi8(unpack_nibbles16(b.qs), _mm256_set1_epi8(8));
}
SLM_AVX512 inline __m256i signed_codes(const BlockQ5_0& b) {
  return _mm256_sub_epi8(_mm256_or_si256(unpack_nibbles16(b.qs), bits_to_bytes(b.qh)), _mm256_set1_epi8(16));
}
SLM_AVX512 inline __m256i unsigned_codes(const BlockQ4_1& b) { return unpack_nibbles16(b.qs); }
SLM_AVX512 inline __m256i unsigned_codes(const BlockQ5_1& b) {
  return _mm256_or_si256(unpack_nibbles16(b.qs), bits_to_bytes(b.qh));
}

// Signed codes: |w| as the unsigned operand, w's sign moved onto x (AVX-512 has no vpsignb:
// a masked subtract negates x where w < 0). Two blocks per 512-bit step, lanes 0..7 from the
// first and 8..15 from the second, each scaled by its own d_w * d_x.
template <int NT, typename B>
SLM_AVX512 void dot_q32_signed(const void* w, const void* x, size_t stride, int64_t n, float* out) {
  const auto* wb = static_cast<const B*>(w);
  const ActBlock32* xb[NT];
  __m512 acc[NT];
  SLM_UNROLL
  for (int t = 0; t < NT; ++t) xb[t] = act<ActBlock32>(x, stride, t), acc[t] = _mm512_setzero_ps();
  const int64_t blocks = n / kQK;
  int64_t i = 0;
  for (; i + 2 <= blocks; i += 2) {
    prefetch_block(wb + i);
    const __m512i q = join(signed_codes(wb[i]), signed_codes(wb[i + 1]));
    const __m512i mag = _mm512_abs_epi8(q);
    const __mmask64 negative = _mm512_movepi8_mask(q);
    const __m512 d = _mm512_mask_broadcastss_ps(_mm512_set1_ps(half_to_float(wb[i].d)), 0xFF00,
                                                _mm_set_ss(half_to_float(wb[i + 1].d)));
    SLM_UNROLL
    for (int t = 0; t < NT; ++t) {
      const __m512i xq = join(load32(xb[t][i].qs), load32(xb[t][i + 1].qs));
      const __m512i signed_x = _mm512_mask_sub_epi8(xq, negative, _mm512_setzero_si512(), xq);
      const __m512i s = _mm512_dpbusd_epi32(_mm512_setzero_si512(), mag, signed_x);
      const __m512 dx = _mm512_mask_broadcastss_ps(_mm512_set1_ps(xb[t][i].d), 0xFF00, _mm_set_ss(xb[t][i + 1].d));
      acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), _mm512_mul_ps(d, dx), acc[t]);
    }
  }
  if (i < blocks) {  // an odd last block: 256-bit
    const __m256i q = signed_codes(wb[i]);
    const __m256i mag = _mm256_sign_epi8(q, q);
    const float d = half_to_float(wb[i].d);
    SLM_UNROLL
    for (int t = 0; t < NT; ++t) {
      const __m256i s = _mm256_dpbusd_epi32(_mm256_setzero_si256(), mag, _mm256_sign_epi8(load32(xb[t][i].qs), q));
      const __m256 part = _mm256_mul_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(d * xb[t][i].d));
      acc[t] = _mm512_add_ps(acc[t], _mm512_zextps256_ps512(part));
    }
  }
  SLM_UNROLL
  for (int t = 0; t < NT; ++t) out[t] = _mm512_reduce_add_ps(acc[t]);
}

// dot_q32_signed<1> on four rows at once: the same operations in the same order for each row,
// with the activation side (codes, lane offsets and scale pair) shared.
template <typename B>
SLM_AVX512 void dot_q32_signed_rows4(const void* w, size_t row_bytes, const void* x, int64_t n, float* out) {
  const B* wr[4];
  SLM_UNROLL
  for (int r = 0; r < 4; ++r) wr[r] = reinterpret_cast<const B*>(static_cast<const uint8_t*>(w) + r * row_bytes);
  const auto* xb = static_cast<const ActBlock32*>(x);
  __m512 acc[4];
  SLM_UNROLL
  for (int r = 0; r < 4; ++r) acc[r] = _mm512_setzero_ps();
  const int64_t blocks = n / kQK;
  const __m512i pair_lanes = _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);
  int64_t i = 0;
  for (; i + 2 <= blocks; i += 2) {
    const __m512i xq = join(load32(xb[i].qs), load32(xb[i + 1].qs));
    const __m512 dx = _mm512_mask_broadcastss_ps(_mm512_set1_ps(xb[i].d), 0xFF00, _mm_set_ss(xb[i + 1].d));
    // w + 128 (w with its sign bit flipped) is the unsigned operand: each lane then sums
    // w·x + 128·Σx over its four bytes, and starting the lane at -128·Σx leaves exactly the lane
    // sum of the one-row kernel. Working out the start once per block pair spares every row the
    // sign juggling.
    const __m512i start = _mm512_sub_epi32(
        _mm512_setzero_si512(), _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_set1_epi8(-128), xq));
    // Ahead of the end of its row, each stream prefetches the start of the row four below (the
    // caller's next group), not the next row, which another stream of this call has read.
    const size_t ahead = i * sizeof(B) + kPrefetchBytes;
    const size_t skip = ahead >= row_bytes ? 3 * row_bytes : 0;
    SLM_UNROLL
    for (int r = 0; r < 4; ++r) {
      _mm_prefetch(reinterpret_cast<const char*>(wr[r]) + ahead + skip, _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(wr[r]) + ahead + skip + 63, _MM_HINT_T0);
      const __m512i u = _mm512_xor_si512(join(signed_codes(wr[r][i]), signed_codes(wr[r][i + 1])), _mm512_set1_epi8(-128));
      const __m512i s = _mm512_dpbusd_epi32(start, u, xq);
      // Both scales converted by one vcvtph2ps, then spread to lanes 0..7 and 8..15.
      const __m128i dh = _mm_insert_epi16(_mm_cvtsi32_si128(wr[r][i].d), wr[r][i + 1].d, 1);
      const __m512 d = _mm512_permutexvar_ps(pair_lanes, _mm512_castps128_ps512(_mm_cvtph_ps(dh)));
      acc[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), _mm512_mul_ps(d, dx), acc[r]);
    }
  }
  if (i < blocks) {  // an odd last block: 256-bit
    SLM_UNROLL
    for (int r = 0; r < 4; ++r) {
      const __m256i q = signed_codes(wr[r][i]);
      const __m256i mag = _mm256_sign_epi8(q, q);
      const float d = half_to_float(wr[r][i].d);
      const __m256i s = _mm256_dpbusd_epi32(_mm256_setzero_si256(), mag, _mm256_sign_epi8(load32(xb[i].qs), q));
      const __m256 part = _mm256_mul_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(d * xb[i].d));
      acc[r] = _mm512_add_ps(acc[r], _mm512_zextps256_ps512(part));
    }
  }
  SLM_UNROLL
  for (int r = 0; r < 4; ++r) out[r] = _mm512_reduce_add_ps(acc[r]);
}

template <int NT, typename B>
SLM_AVX512 void dot_q32_min(const void* w, const void* x, size_t stride, int64_t n, float* out) {
  const auto* wb = static_cast<const B*>(w);
  const ActBlock32* xb[NT];
  __m256 acc[NT];
  float acc_min[NT] = {};
  SLM_UNROLL
  for (int t = 0; t < NT; ++t) xb[t] = act<ActBlock32>(x, stride, t), acc[t] = _mm256_setzero_ps();
  for (int64_t i = 0; i < n / kQK; ++i) {
    const __m256i q = unsigned_codes(wb[i]);
    const float d = half_to_float(wb[i].d), m = half_to_float(wb[i].m);
    SLM_UNROLL
    for (int t = 0; t < NT; ++t) {
      const __m256i s = _mm256_dpbusd_epi32(_mm256_setzero_si256(), q, load32(xb[t][i].qs));
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(d * xb[t][i].d), acc[t]);
      acc_min[t] += m * xb[t][i].d * static_cast<float>(xb[t][i].sum);
    }
  }
  SLM_UNROLL
  for (int t = 0; t < NT; ++t) out[t] = hsum(acc[t]) + acc_min[t];
}

// [m0, m0, m1, m1, …, m7, m7] as int16: each 32-value group's min over its two 16-value sums.
SLM_AVX512 inline __m256i mins_per_pair(const uint8_t* mn) {
  const __m128i m = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(mn));
  return _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(m, m));
}
SLM_AVX512 inline __m256i load_sums16(const int16_t* sums) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(sums)); }

// Q4_K / Q5_K: 64 values per step: low nibbles (group 2j) in the low half, high nibbles (2j+1) above.
template <int NT, bool kFifthBit, typename B>
SLM_AVX512 void dot_k4(const void* w, const void* x, size_t stride, int64_t n, float* out) {
  const auto* wb = static_cast<const B*>(w);
  const ActBlock256* xb[NT];
  __m512 acc[NT];
  __m256 acc_min[NT];
  SLM_UNROLL
  for (int t = 0; t < NT; ++t)
    xb[t] = act<ActBlock256>(x, stride, t), acc[t] = _mm512_setzero_ps(), acc_min[t] = _mm256_setzero_ps();
  const __m256i low4 = _mm256_set1_epi8(15);
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    prefetch_block(wb + i);
    alignas(8) uint8_t sc[8], mn[8];
    k4_scales_mins(wb[i].scales, sc, mn);
    __m512i isum[NT];
    SLM_UNROLL
    for (int t = 0; t < NT; ++t) isum[t] = _mm512_setzero_si512();
    __m256i qh;
    if constexpr (kFifthBit) qh = load32(wb[i].qh);
    const __m512i all_scales = _mm512_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(sc)));
    SLM_UNROLL
    for (int j = 0; j < 4; ++j) {
      const __m256i q = load32(wb[i].qs + 32 * j);
      __m256i lo = _mm256_and_si256(q, low4), hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), low4);
      if constexpr (kFifthBit) {
        const __m256i one = _mm256_set1_epi8(1);
        lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * j), one), 4));
        hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * j + 1), one), 4));
      }
      const __m512i codes = join(lo, hi);
      // Lanes 0..7: scale of group 2j, lanes 8..15: of group 2j+1.
      const __m512i scale = _mm512_permutexvar_epi32(
          _mm512_inserti64x4(_mm512_set1_epi32(2 * j), _mm256_set1_epi32(2 * j + 1), 1), all_scales);
      SLM_UNROLL
      for (int t = 0; t < NT; ++t) {
        const __m512i s = _mm512_dpbusd_epi32(_mm512_setzero_si512(), codes, load64(xb[t][i].qs + 64 * j));
        isum[t] = _mm512_dpwssd_epi32(isum[t], s, scale);
      }
    }
    const float d = half_to_float(wb[i].d), dmin = half_to_float(wb[i].dmin);
    const __m256i mins = mins_per_pair(mn);
    SLM_UNROLL
    for (int t = 0; t < NT; ++t) {
      const __m256i msum = _mm256_madd_epi16(load_sums16(xb[t][i].sums), mins);
      acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum[t]), _mm512_set1_ps(d * xb[t][i].d), acc[t]);
      acc_min[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(msum), _mm256_set1_ps(dmin * xb[t][i].d), acc_min[t]);
    }
  }
  SLM_UNROLL
  for (int t = 0; t < NT; ++t) out[t] = _mm512_reduce_add_ps(acc[t]) - hsum(acc_min[t]);
}

// Q6_K: 64 values per step (two 32-value quarters of a 128-value half), four 16-value groups:
// lanes 4g..4g+3 carry group g's scale. Codes 0..63; the offset 32 goes through the group sums.
template <int NT, int kUnused = 0>
SLM_AVX512 void dot_q6_k(const void* w, const void* x, size_t stride, int64_t n, float* out) {
  const auto* wb = static_cast<const BlockQ6_K*>(w);
  const ActBlock256* xb[NT];
  __m512 acc[NT];
  SLM_UNROLL
  for (int t = 0; t < NT; ++t) xb[t] = act<ActBlock256>(x, stride, t), acc[t] = _mm512_setzero_ps();
  const __m256i low4 = _mm256_set1_epi8(15), two = _mm256_set1_epi8(3);
  const __m128i spread_lo = _mm_setr_epi8(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
  const __m128i spread_hi = _mm_setr_epi8(4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7);
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    prefetch_block(wb + i);
    __m512i isum[NT];
    SLM_UNROLL
    for (int t = 0; t < NT; ++t) isum[t] = _mm512_setzero_si512();
    SLM_UNROLL
    for (int half = 0; half < 2; ++half) {
      const __m256i ql0 = load32(wb[i].ql + 64 * half), ql1 = load32(wb[i].ql + 64 * half + 32);
      const __m256i qh = load32(wb[i].qh + 32 * half);
      const int8_t* sc = wb[i].scales + 8 * half;
      const __m256i q0 = _mm256_or_si256(_mm256_and_si256(ql0, low4), _mm256_slli_epi16(_mm256_and_si256(qh, two), 4));
      const __m256i q1 = _mm256_or_si256(_mm256_and_si256(ql1, low4),
                                         _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), two), 4));
      const __m256i q2 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low4),
                                         _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), two), 4));
      const __m256i q3 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low4),
                                         _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), two), 4));
      const __m128i sc8 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(sc));
      // vpdpwssd multiplies int16 pairs: each lane holds (scale, 0), never a sign-extended high half.
      const __m512i scale01 = _mm512_cvtepu16_epi32(_mm256_cvtepi8_epi16(_mm_shuffle_epi8(sc8, spread_lo)));
      const __m512i scale23 = _mm512_cvtepu16_epi32(_mm256_cvtepi8_epi16(_mm_shuffle_epi8(sc8, spread_hi)));
      const __m512i codes01 = join(q0, q1), codes23 = join(q2, q3);
      SLM_UNROLL
      for (int t = 0; t < NT; ++t) {
        const int8_t* xq = xb[t][i].qs + 128 * half;
        const __m512i s01 = _mm512_dpbusd_epi32(_mm512_setzero_si512(), codes01, load64(xq));
        const __m512i s23 = _mm512_dpbusd_epi32(_mm512_setzero_si512(), codes23, load64(xq + 64));
        isum[t] = _mm512_dpwssd_epi32(_mm512_dpwssd_epi32(isum[t], s01, scale01), s23, scale23);
      }
    }
    // The code offset 32: subtract 32 * Σ_g scale_g * (sum of x over group g).
    const __m256i scales16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(wb[i].scales)));
    const float d = half_to_float(wb[i].d);
    SLM_UNROLL
    for (int t = 0; t < NT; ++t) {
      const __m256i offset = _mm256_madd_epi16(load_sums16(xb[t][i].sums), scales16);
      const __m512i total = _mm512_sub_epi32(isum[t], _mm512_zextsi256_si512(_mm256_slli_epi32(offset, 5)));
      acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(total), _mm512_set1_ps(d * xb[t][i].d), acc[t]);
    }
  }
  SLM_UNROLL
  for (int t = 0; t < NT; ++t) out[t] = _mm512_reduce_add_ps(acc[t]);
}

// Activation quantization with the reference's operations per value: amax over |x|, d = amax/127,
// inv = 1/d, q = x·inv rounded half to even (the reference's (t + 1.5·2^23) - 1.5·2^23 trick
// rounds t = x·inv exactly so for |t| < 2^22; vrndscaleps does it in one step, and leaves no
// add that could be fused with the multiply).
#define SLM_AVX512_QUANT __attribute__((target("avx512f,avx512bw,avx512vl,avx2")))

SLM_AVX512_QUANT inline float block_absmax(const float* x, int n) {
  __m512 m = _mm512_setzero_ps();
  for (int i = 0; i < n; i += 16) m = _mm512_max_ps(m, _mm512_abs_ps(_mm512_loadu_ps(x + i)));
  return _mm512_reduce_max_ps(m);
}

// 16 values scaled and rounded to int32.
SLM_AVX512_QUANT inline __m512i round_scaled(const float* x, __m512 inv) {
  const __m512 t = _mm512_mul_ps(_mm512_loadu_ps(x), inv);
  return _mm512_cvtps_epi32(_mm512_roundscale_ps(t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

SLM_AVX512_QUANT void act32(const float* x, ActBlock32* out, int64_t n) {
  for (int64_t b = 0; b < n / kQK; ++b, x += kQK) {
    const float d = block_absmax(x, kQK) / 127.0f;
    const __m512 inv = _mm512_set1_ps(d > 0 ? 1.0f / d : 0.0f);
    const __m512i lo = round_scaled(x, inv), hi = round_scaled(x + 16, inv);
    out[b].d = d;
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out[b].qs), _mm512_cvtepi32_epi8(lo));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out[b].qs + 16), _mm512_cvtepi32_epi8(hi));
    out[b].sum = _mm512_reduce_add_epi32(_mm512_add_epi32(lo, hi));
  }
}

SLM_AVX512_QUANT void act256(const float* x, ActBlock256* out, int64_t n) {
  for (int64_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
    const float d = block_absmax(x, kQK_K) / 127.0f;
    const __m512 inv = _mm512_set1_ps(d > 0 ? 1.0f / d : 0.0f);
    out[b].d = d;
    for (int g = 0; g < kQK_K / 16; ++g) {
      const __m512i q = round_scaled(x + 16 * g, inv);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out[b].qs + 16 * g), _mm512_cvtepi32_epi8(q));
      out[b].sums[g] = static_cast<int16_t>(_mm512_reduce_add_epi32(q));
    }
  }
}

using TileFn = void (*)(const void* w, const void* x, size_t stride, int64_t n, float* out);

// Tiles of up to eight tokens: 32 registers hold their accumulators.
template <TileFn K1, TileFn K2, TileFn K3, TileFn K4, TileFn K5, TileFn K6, TileFn K7, TileFn K8>
void by_tile(const void* w, const void* x, size_t stride, int nt, int64_t n, float* out) {
  switch (nt) {
    case 1: return K1(w, x, stride, n, out);
    case 2: return K2(w, x, stride, n, out);
    case 3: return K3(w, x, stride, n, out);
    case 4: return K4(w, x, stride, n, out);
    case 5: return K5(w, x, stride, n, out);
    case 6: return K6(w, x, stride, n, out);
    case 7: return K7(w, x, stride, n, out);
    default: return K8(w, x, stride, n, out);
  }
}
#define SLM_TILES(f, ...)                                                                           \
  by_tile<f<1, __VA_ARGS__>, f<2, __VA_ARGS__>, f<3, __VA_ARGS__>, f<4, __VA_ARGS__>, f<5, __VA_ARGS__>, \
          f<6, __VA_ARGS__>, f<7, __VA_ARGS__>, f<8, __VA_ARGS__>>

// The AVX2 kernel of type T (tiles of up to four tokens) over a tile of up to eight.
template <DType T>
void avx2_in_fours(const void* w, const void* x, size_t stride, int nt, int64_t n, float* out) {
  static const QuantDotFn f = quant_dot_avx2()->get(T);
  for (int t0 = 0; t0 < nt; t0 += 4)
    f(w, static_cast<const uint8_t*>(x) + t0 * stride, stride, nt - t0 < 4 ? nt - t0 : 4, n, out + t0);
}

}  // namespace
#endif

Act32Fn quantize_act32_avx512() {
#if defined(__x86_64__)
  const auto& f = cpu_features();
  if (f.avx512f && f.avx512bw && __builtin_cpu_supports("avx512vl")) return act32;
#endif
  return nullptr;
}

Act256Fn quantize_act256_avx512() {
#if defined(__x86_64__)
  if (quantize_act32_avx512()) return act256;
#endif
  return nullptr;
}

const QuantDotKernels* quant_dot_avx512() {
#if defined(__x86_64__)
  const auto& f = cpu_features();
  if (!(f.avx512f && f.avx512bw && f.avx512vnni && __builtin_cpu_supports("avx512vl") && quant_dot_avx2()))
    return nullptr;
  static const QuantDotKernels k = [] {
    QuantDotKernels r{};
    r.name = "avx512";
    r.by_dtype[static_cast<int>(DType::Q2_K)] = avx2_in_fours<DType::Q2_K>;
    r.by_dtype[static_cast<int>(DType::Q3_K)] = avx2_in_fours<DType::Q3_K>;
    r.token_tile = 8;
    r.by_dtype[static_cast<int>(DType::Q4_0)] = SLM_TILES(dot_q32_signed, BlockQ4_0);
    r.by_dtype[static_cast<int>(DType::Q5_0)] = SLM_TILES(dot_q32_signed, BlockQ5_0);
    r.by_dtype[static_cast<int>(DType::Q8_0)] = SLM_TILES(dot_q32_signed, BlockQ8_0);
    r.rows4_by_dtype[static_cast<int>(DType::Q4_0)] = dot_q32_signed_rows4<BlockQ4_0>;
    r.rows4_by_dtype[static_cast<int>(DType::Q5_0)] = dot_q32_signed_rows4<BlockQ5_0>;
    r.rows4_by_dtype[static_cast<int>(DType::Q8_0)] = dot_q32_signed_rows4<BlockQ8_0>;
    r.by_dtype[static_cast<int>(DType::Q4_1)] = SLM_TILES(dot_q32_min, BlockQ4_1);
    r.by_dtype[static_cast<int>(DType::Q5_1)] = SLM_TILES(dot_q32_min, BlockQ5_1);
    r.by_dtype[static_cast<int>(DType::Q4_K)] = SLM_TILES(dot_k4, false, BlockQ4_K);
    r.by_dtype[static_cast<int>(DType::Q5_K)] = SLM_TILES(dot_k4, true, BlockQ5_K);
    r.by_dtype[static_cast<int>(DType::Q6_K)] = SLM_TILES(dot_q6_k, 0);
    return r;
  }();
  return &k;
#else
  return nullptr;
#endif
}

}  // namespace slm::kernels
