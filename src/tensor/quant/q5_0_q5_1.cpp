// Q5_0 / Q5_1: as Q4_0 / Q4_1 with a fifth bit per value kept in a 32-bit mask.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/half.h"
#include "tensor/quant/blocks.h"
#include "tensor/quant/quant.h"

namespace slm::quant {

static uint32_t load_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// The 5-bit codes of element j and j + 16.
static void codes5(const uint8_t* qs, uint32_t qh, int j, int& lo, int& hi) {
  lo = (qs[j] & 15) | ((qh >> j) & 1) << 4;
  hi = (qs[j] >> 4) | ((qh >> (j + 16)) & 1) << 4;
}

void dequantize_row_q5_0(const void* src, float* dst, int64_t n) {
  const auto* b = static_cast<const BlockQ5_0*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const float d = f16_to_f32(b[i].d);
    const uint32_t qh = load_u32(b[i].qh);
    for (int j = 0; j < kQK / 2; ++j) {
      int lo, hi;
      codes5(b[i].qs, qh, j, lo, hi);
      dst[j] = d * (lo - 16);
      dst[j + 16] = d * (hi - 16);
    }
  }
}

void dequantize_row_q5_1(const void* src, float* dst, int64_t n) {
  const auto* b = static_cast<const BlockQ5_1*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const float d = f16_to_f32(b[i].d), m = f16_to_f32(b[i].m);
    const uint32_t qh = load_u32(b[i].qh);
    for (int j = 0; j < kQK / 2; ++j) {
      int lo, hi;
      codes5(b[i].qs, qh, j, lo, hi);
      dst[j] = d * lo + m;
      dst[j + 16] = d * hi + m;
    }
  }
}

static void pack5(const int* q, uint8_t* qs, uint8_t* qh_bytes) {
  uint32_t qh = 0;
  for (int j = 0; j < kQK / 2; ++j) {
    qs[j] = static_cast<uint8_t>((q[j] & 15) | (q[j + 16] & 15) << 4);
    qh |= static_cast<uint32_t>(q[j] >> 4) << j | static_cast<uint32_t>(q[j + 16] >> 4) << (j + 16);
  }
  std::memcpy(qh_bytes, &qh, 4);
}

void quantize_row_q5_0(const float* src, void* dst, int64_t n) {
  auto* b = static_cast<BlockQ5_0*>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    float amax = 0, extreme = 0;
    for (int j = 0; j < kQK; ++j)
      if (std::fabs(src[j]) > amax) amax = std::fabs(src[j]), extreme = src[j];
    const float d = extreme / -16.0f;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    int q[kQK];
    for (int j = 0; j < kQK; ++j) q[j] = std::min(31, static_cast<int>(src[j] * id + 16.5f));
    b[i].d = f32_to_f16(d);
    pack5(q, b[i].qs, b[i].qh);
  }
}

void quantize_row_q5_1(const float* src, void* dst, int64_t n) {
  auto* b = static_cast<BlockQ5_1*>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    const auto [lo_it, hi_it] = std::minmax_element(src, src + kQK);
    const float mn = *lo_it, d = (*hi_it - mn) / 31.0f;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    int q[kQK];
    for (int j = 0; j < kQK; ++j) q[j] = std::min(31, static_cast<int>((src[j] - mn) * id + 0.5f));
    b[i].d = f32_to_f16(d);
    b[i].m = f32_to_f16(mn);
    pack5(q, b[i].qs, b[i].qh);
  }
}

}  // namespace slm::quant
