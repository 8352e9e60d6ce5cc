// AVX2 quantized dot products. Weight codes are expanded to 32 bytes at a time and multiplied
// with int8 activations by vpmaddubsw (unsigned x signed, pairs summed to int16: no saturation
// because |codes| <= 63 and |x| <= 127 or, for signed codes, the sign is moved onto x), then
// widened to int32 by vpmaddwd — with the group scale as the multiplier where a format has one.
// A weight block is decoded once and used for every token of the tile (NT <= 4: AVX2's 16 registers hold four tokens' accumulators).
#include <cstring>

#include "base/cpu_features.h"
#include "kernels/quant_dot.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace slm::kernels {

#if defined(__x86_64__)
namespace {

// Token-tile and sub-block loops must be fully unrolled so the accumulators stay in registers
// (-O2 leaves them as arrays in memory).
#define SLM_UNROLL _Pragma("GCC unroll 4")

using namespace quant;

#define SLM_AVX2 __attribute__((target("avx2,fma,f16c")))

SLM_AVX2 inline float hsum(__m256 v) {
  __m128 lo = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
  lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
  return _mm_cvtss_f32(lo);
}

// Hardware fp16 -> f32 (the portable conversion in base/half.h branches).
SLM_AVX2 inline float half_to_float(uint16_t h) { return _cvtsh_ss(h); }

SLM_AVX2 inline __m256i load32(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

// Σ pairs of signed codes w (|w| <= 127) times x, as 8 int32 lanes.
SLM_AVX2 inline __m256i dot_signed(__m256i w, __m256i x) {
  const __m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w));
  return _mm256_madd_epi16(p, _mm256_set1_epi16(1));
}
// Σ unsigned codes u (<= 63) times x, each int16 pair-sum multiplied by `scale16`.
SLM_AVX2 inline __m256i dot_unsigned_scaled(__m256i u, __m256i x, __m256i scale16) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(u, x), scale16);
}

template <typename A>
const A* act(const void* x, size_t stride, int t) {
  return reinterpret_cast<const A*>(static_cast<const uint8_t*>(x) + t * stride);
}

// 32 bytes: the low nibbles of 16 bytes (values 0..15) then their high nibbles (values 16..31).
SLM_AVX2 inline __m256i unpack_nibbles16(const uint8_t* qs) {
  const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
  const __m256i both = _mm256_set_m128i(_mm_srli_epi16(q, 4), q);
  return _mm256_and_si256(both, _mm256_set1_epi8(15));
}

// Byte j = 0x10 where bit j of the 32-bit mask is set, else 0.
SLM_AVX2 inline __m256i bits_to_bytes(const uint8_t* mask4) {
  uint32_t m;
  std::memcpy(&m, mask4, 4);
  const __m256i shuffle = _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0);
  __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(m)), shuffle);
  const __m256i bit = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201));
  v = _mm256_cmpeq_epi8(_mm256_and_si256(v, bit), bit);
  return _mm256_and_si256(v, _mm256_set1_epi8(0x10));
}

// Signed codes of a 32-value block.
SLM_AVX2 inline __m256i signed_codes(const BlockQ8_0& b) { return load32(b.qs); }
SLM_AVX2 inline __m256i signed_codes(const BlockQ4_0& b) {
  return _mm256_sub_epi8(unpack_nibbles16(b.qs), _mm256_set1_epi8(8));
}
SLM_AVX2 inline __m256i signed_codes(const BlockQ5_0& b) {
  return _mm256_sub_epi8(_mm256_or_si256(unpack_nibbles16(b.qs), bits_to_bytes(b.qh)), _mm256_set1_epi8(16));
}
// Unsigned codes of the formats with a min.
SLM_AVX2 inline __m256i unsigned_codes(const BlockQ4_1& b) { return unpack_nibbles16(b.qs); }
SLM_AVX2 inline __m256i unsigned_codes(const BlockQ5_1& b) {
  return _mm256_or_si256(unpack_nibbles16(b.qs), bits_to_bytes(b.qh));
}

template <int NT, typename B>
SLM_AVX2 void dot_q32_signed(const void* w, const void* x, size_t stride, int64_t n, float* out) {
  const auto* wb = static_cast<const B*>(w);
  const ActBlock32* xb[NT];
  __m256 acc[NT];
  SLM_UNROLL
  for (int t = 0; t < NT; ++t) xb[t] = act<ActBlock32>(x, stride, t), acc[t] = _mm256_setzero_ps();
  for (int64_t i = 0; i < n / kQK; ++i) {
    const __m256i q = signed_codes(wb[i]);
    const float d = half_to_float(wb[i].d);
    SLM_UNROLL
    for (int t = 0; t < NT; ++t) {
      const __m256i s = dot_signed(q, load32(xb[t][i].qs));
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(d * xb[t][i].d), acc[t]);
    }
  }
  SLM_UNROLL
  for (int t = 0; t < NT; ++t) out[t] = hsum(acc[t]);
}

template <int NT, typename B>
SLM_AVX2 void dot_q32_min(const void* w, const void* x, size_t stride, int64_t n, float* out) {
  const auto* wb = static_cast<const B*>(w);
  const ActBlock32* xb[NT];
  __m256 acc[NT];
  float acc_min[NT] = {};
  SLM_UNROLL
  for (int t = 0; t < NT; ++t) xb[t] = act<ActBlock32>(x, stride, t), acc[t] = _mm256_setzero_ps();
  const __m256i ones = _mm256_set1_epi16(1);
  for (int64_t i = 0; i < n / kQK; ++i) {
    const __m256i q = unsigned_codes(wb[i]);
    const float d = half_to_float(wb[i].d), m = half_to_float(wb[i].m);
    SLM_UNROLL
    for (int t = 0; t < NT; ++t) {
      const __m256i s = dot_unsigned_scaled(q, load32(xb[t][i].qs), ones);
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(d * xb[t][i].d), acc[t]);
      acc_min[t] += m * xb[t][i].d * static_cast<float>(xb[t][i].sum);
    }
  }
  SLM_UNROLL
  for (int t = 0; t < NT; ++t) out[t] = hsum(acc[t]) + acc_min[t];
}

// [m0, m0, m1, m1, …, m7, m7] as int16: each 32-value group's min over its two 16-value sums.
SLM_AVX2 inline __m256i mins_per_pair(const uint8_t* mn) {
  const __m128i m = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(mn));
  return _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(m, m));
}
SLM_AVX2 inline __m256i load_sums16(const int16_t* sums) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(sums)); }

// Q4_K / Q5_K: per 64 values, low nibbles are group 2j and high nibbles group 2j+1.
template <int NT, bool kFifthBit, typename B>
SLM_AVX2 void dot_k4(const void* w, const void* x, size_t stride, int64_t n, float* out) {
  const auto* wb = static_cast<const B*>(w);
  const ActBlock256* xb[NT];
  __m256 acc[NT], acc_min[NT];
  SLM_UNROLL
  for (int t = 0; t < NT; ++t)
    xb[t] = act<ActBlock256>(x, stride, t), acc[t] = _mm256_setzero_ps(), acc_min[t] = _mm256_setzero_ps();
  const __m256i low4 = _mm256_set1_epi8(15);
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    alignas(8) uint8_t sc[8], mn[8];
    k4_scales_mins(wb[i].scales, sc, mn);
    __m256i isum[NT];
    SLM_UNROLL
    for (int t = 0; t < NT; ++t) isum[t] = _mm256_setzero_si256();
    __m256i qh;
    if constexpr (kFifthBit) qh = load32(wb[i].qh);
    SLM_UNROLL
    for (int j = 0; j < 4; ++j) {
      const __m256i q = load32(wb[i].qs + 32 * j);
      __m256i lo = _mm256_and_si256(q, low4), hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), low4);
      if constexpr (kFifthBit) {
        const __m256i one = _mm256_set1_epi8(1);
        lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * j), one), 4));
        hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * j + 1), one), 4));
      }
      const __m256i s_lo = _mm256_set1_epi16(sc[2 * j]), s_hi = _mm256_set1_epi16(sc[2 * j + 1]);
      SLM_UNROLL
      for (int t = 0; t < NT; ++t) {
        const int8_t* xq = xb[t][i].qs + 64 * j;
        isum[t] = _mm256_add_epi32(isum[t], dot_unsigned_scaled(lo, load32(xq), s_lo));
        isum[t] = _mm256_add_epi32(isum[t], dot_unsigned_scaled(hi, load32(xq + 32), s_hi));
      }
    }
    const float d = half_to_float(wb[i].d), dmin = half_to_float(wb[i].dmin);
    const __m256i mins = mins_per_pair(mn);
    SLM_UNROLL
    for (int t = 0; t < NT; ++t) {
      const __m256i msum = _mm256_madd_epi16(load_sums16(xb[t][i].sums), mins);
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[t]), _mm256_set1_ps(d * xb[t][i].d), acc[t]);
      acc_min[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(msum), _mm256_set1_ps(dmin * xb[t][i].d), acc_min[t]);
    }
  }
  SLM_UNROLL
  for (int t = 0; t < NT; ++t) out[t] = hsum(acc[t]) - hsum(acc_min[t]);
}

// Q6_K: codes 0..63 (offset 32 applied through the activation group sums); each 32-byte
// vector spans two 16-value groups, so the int16 scale vector holds two scales.
template <int NT, int kUnused = 0>
SLM_AVX2 void dot_q6_k(const void* w, const void* x, size_t stride, int64_t n, float* out) {
  const auto* wb = static_cast<const BlockQ6_K*>(w);
  const ActBlock256* xb[NT];
  __m256 acc[NT];
  SLM_UNROLL
  for (int t = 0; t < NT; ++t) xb[t] = act<ActBlock256>(x, stride, t), acc[t] = _mm256_setzero_ps();
  const __m256i low4 = _mm256_set1_epi8(15), two = _mm256_set1_epi8(3);
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    __m256i isum[NT];
    SLM_UNROLL
    for (int t = 0; t < NT; ++t) isum[t] = _mm256_setzero_si256();
    SLM_UNROLL
    for (int half = 0; half < 2; ++half) {
      const __m256i ql0 = load32(wb[i].ql + 64 * half), ql1 = load32(wb[i].ql + 64 * half + 32);
      const __m256i qh = load32(wb[i].qh + 32 * half);
      const int8_t* sc = wb[i].scales + 8 * half;
      const __m256i q[4] = {
          _mm256_or_si256(_mm256_and_si256(ql0, low4), _mm256_slli_epi16(_mm256_and_si256(qh, two), 4)),
          _mm256_or_si256(_mm256_and_si256(ql1, low4),
                          _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), two), 4)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low4),
                          _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), two), 4)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low4),
                          _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), two), 4)),
      };
      SLM_UNROLL
      for (int k = 0; k < 4; ++k) {
        const __m256i scale = _mm256_set_m128i(_mm_set1_epi16(sc[2 * k + 1]), _mm_set1_epi16(sc[2 * k]));
        SLM_UNROLL
        for (int t = 0; t < NT; ++t)
          isum[t] = _mm256_add_epi32(isum[t],
                                     dot_unsigned_scaled(q[k], load32(xb[t][i].qs + 128 * half + 32 * k), scale));
      }
    }
    // The code offset 32: subtract 32 * Σ_g scale_g * (sum of x over group g).
    const __m256i scales16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(wb[i].scales)));
    const float d = half_to_float(wb[i].d);
    SLM_UNROLL
    for (int t = 0; t < NT; ++t) {
      const __m256i offset = _mm256_madd_epi16(load_sums16(xb[t][i].sums), scales16);
      const __m256i total = _mm256_sub_epi32(isum[t], _mm256_slli_epi32(offset, 5));
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(total), _mm256_set1_ps(d * xb[t][i].d), acc[t]);
    }
  }
  SLM_UNROLL
  for (int t = 0; t < NT; ++t) out[t] = hsum(acc[t]);
}

// Q2_K / Q3_K: each 128-value half reads 32 code bytes four times (bit pairs 0..3); each pass
// gives 32 consecutive values spanning two 16-value groups, so the int16 scale vector holds two
// scales. Q3_K's codes become unsigned (0..7, the high bit added) and its offset 4 goes through
// the activation group sums, like the mins of Q2_K.
SLM_AVX2 inline __m256i two_group_scales(int a, int b) {
  return _mm256_set_m128i(_mm_set1_epi16(static_cast<int16_t>(b)), _mm_set1_epi16(static_cast<int16_t>(a)));
}

template <int NT, int kUnused = 0>
SLM_AVX2 void dot_q2_k(const void* w, const void* x, size_t stride, int64_t n, float* out) {
  const auto* wb = static_cast<const BlockQ2_K*>(w);
  const ActBlock256* xb[NT];
  __m256 acc[NT], acc_min[NT];
  SLM_UNROLL
  for (int t = 0; t < NT; ++t)
    xb[t] = act<ActBlock256>(x, stride, t), acc[t] = _mm256_setzero_ps(), acc_min[t] = _mm256_setzero_ps();
  const __m256i pair = _mm256_set1_epi8(3);
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(wb[i].scales));
    const __m256i mins = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(packed, 4), _mm_set1_epi8(15)));
    __m256i isum[NT];
    SLM_UNROLL
    for (int t = 0; t < NT; ++t) isum[t] = _mm256_setzero_si256();
    SLM_UNROLL
    for (int half = 0; half < 2; ++half) {
      const __m256i q = load32(wb[i].qs + 32 * half);
      SLM_UNROLL
      for (int k = 0; k < 4; ++k) {
        const int g = 8 * half + 2 * k;
        const __m256i codes = _mm256_and_si256(_mm256_srli_epi16(q, 2 * k), pair);
        const __m256i scale = two_group_scales(wb[i].scales[g] & 15, wb[i].scales[g + 1] & 15);
        SLM_UNROLL
        for (int t = 0; t < NT; ++t)
          isum[t] = _mm256_add_epi32(isum[t],
                                     dot_unsigned_scaled(codes, load32(xb[t][i].qs + 128 * half + 32 * k), scale));
      }
    }
    const float d = half_to_float(wb[i].d), dmin = half_to_float(wb[i].dmin);
    SLM_UNROLL
    for (int t = 0; t < NT; ++t) {
      const __m256i msum = _mm256_madd_epi16(load_sums16(xb[t][i].sums), mins);
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[t]), _mm256_set1_ps(d * xb[t][i].d), acc[t]);
      acc_min[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(msum), _mm256_set1_ps(dmin * xb[t][i].d), acc_min[t]);
    }
  }
  SLM_UNROLL
  for (int t = 0; t < NT; ++t) out[t] = hsum(acc[t]) - hsum(acc_min[t]);
}

template <int NT, int kUnused = 0>
SLM_AVX2 void dot_q3_k(const void* w, const void* x, size_t stride, int64_t n, float* out) {
  const auto* wb = static_cast<const BlockQ3_K*>(w);
  const ActBlock256* xb[NT];
  __m256 acc[NT];
  SLM_UNROLL
  for (int t = 0; t < NT; ++t) xb[t] = act<ActBlock256>(x, stride, t), acc[t] = _mm256_setzero_ps();
  const __m256i pair = _mm256_set1_epi8(3), one = _mm256_set1_epi8(1);
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    alignas(16) int8_t sc[16];
    for (int g = 0; g < 16; ++g) sc[g] = static_cast<int8_t>(q3k_scale(g, wb[i].scales));
    const __m256i scales16 = _mm256_cvtepi8_epi16(_mm_load_si128(reinterpret_cast<const __m128i*>(sc)));
    const __m256i hm = load32(wb[i].hmask);
    __m256i isum[NT];
    SLM_UNROLL
    for (int t = 0; t < NT; ++t) isum[t] = _mm256_setzero_si256();
    SLM_UNROLL
    for (int half = 0; half < 2; ++half) {
      const __m256i q = load32(wb[i].qs + 32 * half);
      SLM_UNROLL
      for (int k = 0; k < 4; ++k) {
        const int g = 8 * half + 2 * k;
        const __m256i high = _mm256_and_si256(_mm256_srli_epi16(hm, 4 * half + k), one);
        const __m256i codes =
            _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q, 2 * k), pair), _mm256_slli_epi16(high, 2));
        const __m256i scale = two_group_scales(sc[g], sc[g + 1]);
        SLM_UNROLL
        for (int t = 0; t < NT; ++t)
          isum[t] = _mm256_add_epi32(isum[t],
                                     dot_unsigned_scaled(codes, load32(xb[t][i].qs + 128 * half + 32 * k), scale));
      }
    }
    const float d = half_to_float(wb[i].d);
    SLM_UNROLL
    for (int t = 0; t < NT; ++t) {
      // Codes are stored +4: subtract 4 * Σ_g scale_g * (sum of x over group g).
      const __m256i offset = _mm256_madd_epi16(load_sums16(xb[t][i].sums), scales16);
      const __m256i total = _mm256_sub_epi32(isum[t], _mm256_slli_epi32(offset, 2));
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(total), _mm256_set1_ps(d * xb[t][i].d), acc[t]);
    }
  }
  SLM_UNROLL
  for (int t = 0; t < NT; ++t) out[t] = hsum(acc[t]);
}

using TileFn = void (*)(const void* w, const void* x, size_t stride, int64_t n, float* out);

// One kernel instance per tile width, picked at run time.
template <TileFn K1, TileFn K2, TileFn K3, TileFn K4>
void by_tile(const void* w, const void* x, size_t stride, int nt, int64_t n, float* out) {
  switch (nt) {
    case 1: return K1(w, x, stride, n, out);
    case 2: return K2(w, x, stride, n, out);
    case 3: return K3(w, x, stride, n, out);
    default: return K4(w, x, stride, n, out);
  }
}
#define SLM_TILES(f, ...) \
  by_tile<f<1, __VA_ARGS__>, f<2, __VA_ARGS__>, f<3, __VA_ARGS__>, f<4, __VA_ARGS__>>

}  // namespace
#endif

const QuantDotKernels* quant_dot_avx2() {
#if defined(__x86_64__)
  const auto& f = cpu_features();
  if (!(f.avx2 && f.fma && f.f16c)) return nullptr;
  static const QuantDotKernels k = [] {
    QuantDotKernels r = quant_dot_scalar();
    r.name = "avx2";
    r.token_tile = 4;
    r.by_dtype[static_cast<int>(DType::Q4_0)] = SLM_TILES(dot_q32_signed, BlockQ4_0);
    r.by_dtype[static_cast<int>(DType::Q5_0)] = SLM_TILES(dot_q32_signed, BlockQ5_0);
    r.by_dtype[static_cast<int>(DType::Q8_0)] = SLM_TILES(dot_q32_signed, BlockQ8_0);
    r.by_dtype[static_cast<int>(DType::Q4_1)] = SLM_TILES(dot_q32_min, BlockQ4_1);
    r.by_dtype[static_cast<int>(DType::Q5_1)] = SLM_TILES(dot_q32_min, BlockQ5_1);
    r.by_dtype[static_cast<int>(DType::Q4_K)] = SLM_TILES(dot_k4, false, BlockQ4_K);
    r.by_dtype[static_cast<int>(DType::Q5_K)] = SLM_TILES(dot_k4, true, BlockQ5_K);
    r.by_dtype[static_cast<int>(DType::Q6_K)] = SLM_TILES(dot_q6_k, 0);
    r.by_dtype[static_cast<int>(DType::Q2_K)] = SLM_TILES(dot_q2_k, 0);
    r.by_dtype[static_cast<int>(DType::Q3_K)] = SLM_TILES(dot_q3_k, 0);
    return r;
  }();
  return &k;
#else
  return nullptr;
#endif
}

}  // namespace slm::kernels
