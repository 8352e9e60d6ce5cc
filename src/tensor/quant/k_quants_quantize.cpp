// Quantization to Q4_K, Q5_K and Q6_K. Each group's scale (and min) is fitted by a short search
// over candidate scales with a weighted least-squares refit, keeping the lowest weighted error;
// the group scales are then themselves quantized against one fp16 super-block scale.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/half.h"
#include "tensor/quant/blocks.h"
#include "tensor/quant/quant.h"

// The scale searches dominate quantization time: the loops below are written element-wise into
// small arrays and summed by fixed pairwise halving (same order everywhere), which the compiler
// vectorizes at -O3; an AVX2 clone is picked at run time where the CPU has it (not inlined, so
// the caller goes through the run-time choice).
#pragma GCC optimize("O3")
#if defined(__x86_64__)
#define SLM_VECTOR_CLONES __attribute__((noinline, target_clones("arch=x86-64-v3", "default")))
#else
#define SLM_VECTOR_CLONES
#endif

namespace slm::quant {

namespace {

// Round to nearest (ties to even) in the float domain for |x| < 2^22: vectorizes where the
// integer conversion would not.
inline float round_float(float x) { return (x + 12582912.0f) - 12582912.0f; }

// Σ v[0..N) by pairwise halving (destroys v).
template <int N>
inline float pairwise_sum(float* v) {
  for (int half = N / 2; half >= 1; half /= 2)
    for (int i = 0; i < half; ++i) v[i] += v[i + half];
  return v[0];
}

// Round to nearest (ties to even) for |x| < 2^22, without a libm call.
inline int round_int(float x) {
  float v = x + 12582912.0f;
  int32_t bits;
  std::memcpy(&bits, &v, 4);
  return (bits & 0x007fffff) - 0x00400000;
}

// Fits x ≈ scale * L - min with L in [0, nmax] and min >= 0; returns scale, sets min and L.
template <int N>
SLM_VECTOR_CLONES float fit_scale_min(const float* x, const float* w, int nmax, float rmin, float rdelta, int nstep, float& min_out,
                    uint8_t* L) {
  float lo = x[0], hi = x[0], sum_w = 0, sum_x = 0, sum_x2 = 0;
  for (int i = 0; i < N; ++i) {
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
    sum_w += w[i];
    sum_x += w[i] * x[i];
    sum_x2 += w[i] * x[i] * x[i];
  }
  lo = std::min(lo, 0.0f);
  if (hi <= lo) {
    std::fill(L, L + N, 0);
    min_out = -lo;
    return 0;
  }
  float iscale = nmax / (hi - lo), scale = 1 / iscale, best_err = 0;
  for (int i = 0; i < N; ++i) {
    L[i] = static_cast<uint8_t>(std::clamp(round_int(iscale * (x[i] - lo)), 0, nmax));
    const float diff = scale * L[i] + lo - x[i];
    best_err += w[i] * diff * diff;
  }
  float best[N], trial[N];
  for (int i = 0; i < N; ++i) best[i] = L[i];
  const float fmax = static_cast<float>(nmax);
  for (int step = 0; step <= nstep; ++step) {
    iscale = (rmin + rdelta * step + nmax) / (hi - lo);
    float wl[N], wl2[N], wxl[N];
    for (int i = 0; i < N; ++i) {
      const float l = std::min(fmax, std::max(0.0f, round_float(iscale * (x[i] - lo))));
      trial[i] = l;
      wl[i] = w[i] * l;
      wl2[i] = wl[i] * l;
      wxl[i] = wl[i] * x[i];
    }
    const float sum_l = pairwise_sum<N>(wl), sum_l2 = pairwise_sum<N>(wl2), sum_xl = pairwise_sum<N>(wxl);
    const float det = sum_w * sum_l2 - sum_l * sum_l;
    if (det <= 0) continue;
    float s = (sum_w * sum_xl - sum_x * sum_l) / det;
    float m = (sum_l2 * sum_x - sum_l * sum_xl) / det;
    if (m > 0) {  // the offset must not be positive: refit the scale alone
      m = 0;
      s = sum_xl / sum_l2;
    }
    // Σ w (s·l + m − x)² expanded over the sums at hand (no second pass over the values).
    const float err = s * s * sum_l2 + m * m * sum_w + sum_x2 + 2 * s * m * sum_l - 2 * s * sum_xl - 2 * m * sum_x;
    if (err < best_err) {
      best_err = err;
      std::memcpy(best, trial, sizeof(best));
      scale = s;
      lo = m;
    }
  }
  for (int i = 0; i < N; ++i) L[i] = static_cast<uint8_t>(best[i]);
  min_out = -lo;
  return scale;
}

// Packs eight 6-bit scales and mins the way k4_scale_min reads them.
void pack_scale_min(const uint8_t* ls, const uint8_t* lm, uint8_t* s) {
  for (int j = 0; j < 4; ++j) {
    s[j] = ls[j];
    s[j + 4] = lm[j];
  }
  for (int j = 4; j < 8; ++j) {
    s[j + 4] = static_cast<uint8_t>((ls[j] & 15) | (lm[j] & 15) << 4);
    s[j - 4] |= static_cast<uint8_t>((ls[j] >> 4) << 6);
    s[j] |= static_cast<uint8_t>((lm[j] >> 4) << 6);
  }
}

// Shared by Q4_K (nmax 15) and Q5_K (nmax 31): fills d, dmin, scales and the codes L[256].
void quantize_k4_superblock(const float* x, int nmax, float rmin, float rdelta, int nstep, uint16_t& d_out,
                            uint16_t& dmin_out, uint8_t* packed_scales, uint8_t* L) {
  float sum_x2 = 0;
  for (int i = 0; i < kQK_K; ++i) sum_x2 += x[i] * x[i];
  const float av_x = std::sqrt(sum_x2 / kQK_K);
  float scales[8], mins[8], max_scale = 0, max_min = 0;
  for (int j = 0; j < 8; ++j) {
    float w[32];
    for (int l = 0; l < 32; ++l) w[l] = av_x + std::fabs(x[32 * j + l]);  // favour large values
    scales[j] = fit_scale_min<32>(x + 32 * j, w, nmax, rmin, rdelta, nstep, mins[j], L + 32 * j);
    max_scale = std::max(max_scale, scales[j]);
    max_min = std::max(max_min, mins[j]);
  }
  const float inv_scale = max_scale > 0 ? 63 / max_scale : 0, inv_min = max_min > 0 ? 63 / max_min : 0;
  uint8_t ls[8], lm[8];
  for (int j = 0; j < 8; ++j) {
    ls[j] = static_cast<uint8_t>(std::min(63, round_int(inv_scale * scales[j])));
    lm[j] = static_cast<uint8_t>(std::min(63, round_int(inv_min * mins[j])));
  }
  d_out = f32_to_f16(max_scale / 63);
  dmin_out = f32_to_f16(max_min / 63);
  pack_scale_min(ls, lm, packed_scales);
  // Re-derive the codes against the scales as they will be read back.
  const float d = f16_to_f32(d_out), dmin = f16_to_f32(dmin_out);
  for (int j = 0; j < 8; ++j) {
    uint8_t sc, m;
    k4_scale_min(j, packed_scales, sc, m);
    const float dl = d * sc, dm = dmin * m;
    for (int l = 0; l < 32; ++l) {
      const int q = dl != 0 ? round_int((x[32 * j + l] + dm) / dl) : 0;
      L[32 * j + l] = static_cast<uint8_t>(std::clamp(q, 0, nmax));
    }
  }
}

// Fits x ≈ scale * L with L in [-nmax, nmax - 1], weighting errors by x²; returns scale.
SLM_VECTOR_CLONES float fit_symmetric16(const float* x, int nmax, int8_t* L) {
  float amax = 0, extreme = 0;
  for (int i = 0; i < 16; ++i)
    if (std::fabs(x[i]) > amax) amax = std::fabs(x[i]), extreme = x[i];
  if (amax < 1e-30f) {
    std::fill(L, L + 16, 0);
    return 0;
  }
  float w[16], wx[16];
  for (int i = 0; i < 16; ++i) w[i] = x[i] * x[i], wx[i] = w[i] * x[i];
  const float lo = static_cast<float>(-nmax), hi = static_cast<float>(nmax - 1);
  auto try_scale = [&](float iscale, float* codes, float& sum_xl, float& sum_l2) {
    float xl[16], l2[16];
    for (int i = 0; i < 16; ++i) {
      const float l = std::min(hi, std::max(lo, round_float(iscale * x[i])));
      codes[i] = l;
      xl[i] = wx[i] * l;
      l2[i] = w[i] * l * l;
    }
    sum_xl = pairwise_sum<16>(xl);
    sum_l2 = pairwise_sum<16>(l2);
  };
  float best_codes[16], trial[16], sum_xl, sum_l2;
  try_scale(-nmax / extreme, best_codes, sum_xl, sum_l2);
  float scale = sum_l2 > 0 ? sum_xl / sum_l2 : 0, best = scale * sum_xl;
  for (int step = -9; step <= 9; ++step) {
    if (step == 0) continue;
    try_scale(-(nmax + 0.1f * step) / extreme, trial, sum_xl, sum_l2);
    // Least-squares error shrinks as sum_xl² / sum_l2 grows.
    if (sum_l2 > 0 && sum_xl * sum_xl > best * sum_l2) {
      scale = sum_xl / sum_l2;
      best = scale * sum_xl;
      std::memcpy(best_codes, trial, sizeof(trial));
    }
  }
  for (int i = 0; i < 16; ++i) L[i] = static_cast<int8_t>(best_codes[i]);
  return scale;
}

}  // namespace

void quantize_row_q4_k(const float* src, void* dst, int64_t n) {
  auto* b = static_cast<BlockQ4_K*>(dst);
  for (int64_t i = 0; i < n / kQK_K; ++i, src += kQK_K) {
    uint8_t L[kQK_K];
    quantize_k4_superblock(src, 15, -1.0f, 0.1f, 20, b[i].d, b[i].dmin, b[i].scales, L);
    for (int j = 0; j < 4; ++j)
      for (int l = 0; l < 32; ++l) b[i].qs[32 * j + l] = static_cast<uint8_t>(L[64 * j + l] | L[64 * j + 32 + l] << 4);
  }
}

void quantize_row_q5_k(const float* src, void* dst, int64_t n) {
  auto* b = static_cast<BlockQ5_K*>(dst);
  for (int64_t i = 0; i < n / kQK_K; ++i, src += kQK_K) {
    uint8_t L[kQK_K];
    quantize_k4_superblock(src, 31, -0.5f, 0.1f, 15, b[i].d, b[i].dmin, b[i].scales, L);
    std::memset(b[i].qh, 0, sizeof(b[i].qh));
    for (int j = 0; j < 4; ++j)
      for (int l = 0; l < 32; ++l) {
        const int lo = L[64 * j + l], hi = L[64 * j + 32 + l];
        b[i].qs[32 * j + l] = static_cast<uint8_t>((lo & 15) | (hi & 15) << 4);
        b[i].qh[l] |= static_cast<uint8_t>((lo >> 4) << (2 * j) | (hi >> 4) << (2 * j + 1));
      }
  }
}

void quantize_row_q6_k(const float* src, void* dst, int64_t n) {
  auto* b = static_cast<BlockQ6_K*>(dst);
  for (int64_t i = 0; i < n / kQK_K; ++i, src += kQK_K) {
    int8_t L[kQK_K];
    float scales[16], max_abs = 0, extreme = 0;
    for (int g = 0; g < 16; ++g) {
      scales[g] = fit_symmetric16(src + 16 * g, 32, L + 16 * g);
      if (std::fabs(scales[g]) > max_abs) max_abs = std::fabs(scales[g]), extreme = scales[g];
    }
    if (max_abs == 0) {
      std::memset(&b[i], 0, sizeof(BlockQ6_K));
      std::fill(L, L + kQK_K, 0);
    } else {
      const float iscale = -128 / extreme;
      b[i].d = f32_to_f16(1 / iscale);
      for (int g = 0; g < 16; ++g) b[i].scales[g] = static_cast<int8_t>(std::min(127, round_int(iscale * scales[g])));
      const float d = f16_to_f32(b[i].d);
      for (int g = 0; g < 16; ++g) {
        const float dl = d * b[i].scales[g];
        for (int l = 0; l < 16; ++l) {
          const int q = dl != 0 ? round_int(src[16 * g + l] / dl) : 0;
          L[16 * g + l] = static_cast<int8_t>(std::clamp(q, -32, 31));
        }
      }
    }
    for (int half = 0; half < 2; ++half) {
      const int8_t* q = L + 128 * half;
      uint8_t* ql = b[i].ql + 64 * half;
      uint8_t* qh = b[i].qh + 32 * half;
      for (int l = 0; l < 32; ++l) {
        const int q1 = q[l] + 32, q2 = q[l + 32] + 32, q3 = q[l + 64] + 32, q4 = q[l + 96] + 32;
        ql[l] = static_cast<uint8_t>((q1 & 15) | (q3 & 15) << 4);
        ql[l + 32] = static_cast<uint8_t>((q2 & 15) | (q4 & 15) << 4);
        qh[l] = static_cast<uint8_t>((q1 >> 4) | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6);
      }
    }
  }
}

}  // namespace slm::quant
