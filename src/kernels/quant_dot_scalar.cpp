// Scalar reference for the quantized dot products: per block an exact int32 sum of code
// products, then one float multiply-add with the block scales. Obviously right, and the
// definition the SIMD variants are tested against.
#include <cstring>

#include "base/half.h"
#include "kernels/quant_dot.h"

namespace slm::kernels {

using namespace quant;

namespace {

const ActBlock32* act32(const void* x, size_t stride, int t) {
  return reinterpret_cast<const ActBlock32*>(static_cast<const uint8_t*>(x) + t * stride);
}
const ActBlock256* act256(const void* x, size_t stride, int t) {
  return reinterpret_cast<const ActBlock256*>(static_cast<const uint8_t*>(x) + t * stride);
}

uint32_t load_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Weight codes of one 32-value block, after the format's fixed offset is removed.
void codes(const BlockQ4_0& b, int* q) {
  for (int j = 0; j < 16; ++j) q[j] = (b.qs[j] & 15) - 8, q[j + 16] = (b.qs[j] >> 4) - 8;
}
void codes(const BlockQ4_1& b, int* q) {
  for (int j = 0; j < 16; ++j) q[j] = b.qs[j] & 15, q[j + 16] = b.qs[j] >> 4;
}
void codes5(const uint8_t* qs, const uint8_t* qh_bytes, int offset, int* q) {
  const uint32_t qh = load_u32(qh_bytes);
  for (int j = 0; j < 16; ++j) {
    q[j] = ((qs[j] & 15) | ((qh >> j) & 1) << 4) - offset;
    q[j + 16] = ((qs[j] >> 4) | ((qh >> (j + 16)) & 1) << 4) - offset;
  }
}
void codes(const BlockQ5_0& b, int* q) { codes5(b.qs, b.qh, 16, q); }
void codes(const BlockQ5_1& b, int* q) { codes5(b.qs, b.qh, 0, q); }
void codes(const BlockQ8_0& b, int* q) {
  for (int j = 0; j < 32; ++j) q[j] = b.qs[j];
}

template <typename B>
constexpr bool kHasMin = false;
template <>
constexpr bool kHasMin<BlockQ4_1> = true;
template <>
constexpr bool kHasMin<BlockQ5_1> = true;

template <typename B>
void dot_q32(const void* w, const void* x, size_t stride, int nt, int64_t n, float* out) {
  const auto* wb = static_cast<const B*>(w);
  for (int t = 0; t < nt; ++t) {
    const ActBlock32* xb = act32(x, stride, t);
    float acc = 0;
    for (int64_t i = 0; i < n / kQK; ++i) {
      int q[32];
      codes(wb[i], q);
      int32_t isum = 0;
      for (int j = 0; j < 32; ++j) isum += q[j] * xb[i].qs[j];
      acc += f16_to_f32(wb[i].d) * xb[i].d * static_cast<float>(isum);
      if constexpr (kHasMin<B>) acc += f16_to_f32(wb[i].m) * xb[i].d * static_cast<float>(xb[i].sum);
    }
    out[t] = acc;
  }
}

// K-quants: isum = Σ_group scale_g · Σ code·x, msum = Σ_group min_g · Σ x (from the group sums).
void dot_q2_k(const void* w, const void* x, size_t stride, int nt, int64_t n, float* out) {
  const auto* wb = static_cast<const BlockQ2_K*>(w);
  for (int t = 0; t < nt; ++t) {
    const ActBlock256* xb = act256(x, stride, t);
    float acc = 0;
    for (int64_t i = 0; i < n / kQK_K; ++i) {
      int32_t isum = 0, msum = 0;
      int group = 0;
      const int8_t* xq = xb[i].qs;
      for (int half = 0; half < 2; ++half)
        for (int shift = 0; shift < 8; shift += 2)
          for (int part = 0; part < 2; ++part, ++group, xq += 16) {
            const uint8_t* q = wb[i].qs + 32 * half + 16 * part;
            int32_t s = 0;
            for (int l = 0; l < 16; ++l) s += ((q[l] >> shift) & 3) * xq[l];
            isum += (wb[i].scales[group] & 15) * s;
            msum += (wb[i].scales[group] >> 4) * xb[i].sums[group];
          }
      acc += xb[i].d * (f16_to_f32(wb[i].d) * isum - f16_to_f32(wb[i].dmin) * msum);
    }
    out[t] = acc;
  }
}

void dot_q3_k(const void* w, const void* x, size_t stride, int nt, int64_t n, float* out) {
  const auto* wb = static_cast<const BlockQ3_K*>(w);
  for (int t = 0; t < nt; ++t) {
    const ActBlock256* xb = act256(x, stride, t);
    float acc = 0;
    for (int64_t i = 0; i < n / kQK_K; ++i) {
      int32_t isum = 0;
      int group = 0, hbit = 0;
      const int8_t* xq = xb[i].qs;
      for (int half = 0; half < 2; ++half)
        for (int shift = 0; shift < 8; shift += 2, ++hbit)
          for (int part = 0; part < 2; ++part, ++group, xq += 16) {
            int32_t s = 0;
            for (int l = 0; l < 16; ++l) {
              const int k = 16 * part + l;
              const int q = ((wb[i].qs[32 * half + k] >> shift) & 3) - (((wb[i].hmask[k] >> hbit) & 1) ? 0 : 4);
              s += q * xq[l];
            }
            isum += q3k_scale(group, wb[i].scales) * s;
          }
      acc += xb[i].d * f16_to_f32(wb[i].d) * isum;
    }
    out[t] = acc;
  }
}

template <bool kFifthBit, typename B>
void dot_k4(const void* w, const void* x, size_t stride, int nt, int64_t n, float* out) {
  const auto* wb = static_cast<const B*>(w);
  for (int t = 0; t < nt; ++t) {
    const ActBlock256* xb = act256(x, stride, t);
    float acc = 0;
    for (int64_t i = 0; i < n / kQK_K; ++i) {
      int32_t isum = 0, msum = 0;
      for (int g = 0; g < 8; ++g) {
        uint8_t sc, m;
        k4_scale_min(g, wb[i].scales, sc, m);
        const uint8_t* q = wb[i].qs + 32 * (g / 2);
        const int8_t* xq = xb[i].qs + 32 * g;
        int32_t s = 0;
        for (int l = 0; l < 32; ++l) {
          int code = g % 2 ? q[l] >> 4 : q[l] & 15;
          if constexpr (kFifthBit) code |= ((reinterpret_cast<const BlockQ5_K&>(wb[i]).qh[l] >> g) & 1) << 4;
          s += code * xq[l];
        }
        isum += sc * s;
        msum += m * (xb[i].sums[2 * g] + xb[i].sums[2 * g + 1]);
      }
      acc += xb[i].d * (f16_to_f32(wb[i].d) * isum - f16_to_f32(wb[i].dmin) * msum);
    }
    out[t] = acc;
  }
}

void dot_q6_k(const void* w, const void* x, size_t stride, int nt, int64_t n, float* out) {
  const auto* wb = static_cast<const BlockQ6_K*>(w);
  for (int t = 0; t < nt; ++t) {
    const ActBlock256* xb = act256(x, stride, t);
    float acc = 0;
    for (int64_t i = 0; i < n / kQK_K; ++i) {
      int32_t isum = 0;
      for (int half = 0; half < 2; ++half) {
        const uint8_t* ql = wb[i].ql + 64 * half;
        const uint8_t* qh = wb[i].qh + 32 * half;
        const int8_t* sc = wb[i].scales + 8 * half;
        const int8_t* xq = xb[i].qs + 128 * half;
        for (int k = 0; k < 4; ++k)  // value l + 32k
          for (int g = 0; g < 2; ++g) {
            int32_t s = 0;
            for (int l = 16 * g; l < 16 * g + 16; ++l) {
              const uint8_t low = k % 2 ? ql[l + 32] : ql[l];
              const int q = ((k < 2 ? low & 15 : low >> 4) | ((qh[l] >> (2 * k)) & 3) << 4) - 32;
              s += q * xq[32 * k + l];
            }
            isum += sc[2 * k + g] * s;
          }
      }
      acc += xb[i].d * f16_to_f32(wb[i].d) * isum;
    }
    out[t] = acc;
  }
}

}  // namespace

const QuantDotKernels& quant_dot_scalar() {
  static const QuantDotKernels k = [] {
    QuantDotKernels r{};
    r.name = "scalar";
    r.token_tile = kMaxTokenTile;
    r.by_dtype[static_cast<int>(DType::Q4_0)] = dot_q32<BlockQ4_0>;
    r.by_dtype[static_cast<int>(DType::Q4_1)] = dot_q32<BlockQ4_1>;
    r.by_dtype[static_cast<int>(DType::Q5_0)] = dot_q32<BlockQ5_0>;
    r.by_dtype[static_cast<int>(DType::Q5_1)] = dot_q32<BlockQ5_1>;
    r.by_dtype[static_cast<int>(DType::Q8_0)] = dot_q32<BlockQ8_0>;
    r.by_dtype[static_cast<int>(DType::Q2_K)] = dot_q2_k;
    r.by_dtype[static_cast<int>(DType::Q3_K)] = dot_q3_k;
    r.by_dtype[static_cast<int>(DType::Q4_K)] = dot_k4<false, BlockQ4_K>;
    r.by_dtype[static_cast<int>(DType::Q5_K)] = dot_k4<true, BlockQ5_K>;
    r.by_dtype[static_cast<int>(DType::Q6_K)] = dot_q6_k;
    return r;
  }();
  return k;
}

}  // namespace slm::kernels
