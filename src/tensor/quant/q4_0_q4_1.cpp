// Q4_0 (symmetric, 16 levels around zero) and Q4_1 (scale + min) over 32-value blocks.
#include <algorithm>
#include <cmath>

#include "base/half.h"
#include "tensor/quant/blocks.h"
#include "tensor/quant/quant.h"

namespace slm::quant {

void dequantize_row_q4_0(const void* src, float* dst, int64_t n) {
  const auto* b = static_cast<const BlockQ4_0*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const float d = f16_to_f32(b[i].d);
    for (int j = 0; j < kQK / 2; ++j) {
      dst[j] = d * ((b[i].qs[j] & 15) - 8);
      dst[j + 16] = d * ((b[i].qs[j] >> 4) - 8);
    }
  }
}

void dequantize_row_q4_1(const void* src, float* dst, int64_t n) {
  const auto* b = static_cast<const BlockQ4_1*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const float d = f16_to_f32(b[i].d), m = f16_to_f32(b[i].m);
    for (int j = 0; j < kQK / 2; ++j) {
      dst[j] = d * (b[i].qs[j] & 15) + m;
      dst[j + 16] = d * (b[i].qs[j] >> 4) + m;
    }
  }
}

// The value of largest magnitude maps to -8, so both signs use the full range [-8, 7].
void quantize_row_q4_0(const float* src, void* dst, int64_t n) {
  auto* b = static_cast<BlockQ4_0*>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    float amax = 0, extreme = 0;
    for (int j = 0; j < kQK; ++j)
      if (std::fabs(src[j]) > amax) amax = std::fabs(src[j]), extreme = src[j];
    const float d = extreme / -8.0f;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    b[i].d = f32_to_f16(d);
    for (int j = 0; j < kQK / 2; ++j) {
      const int lo = std::min(15, static_cast<int>(src[j] * id + 8.5f));
      const int hi = std::min(15, static_cast<int>(src[j + 16] * id + 8.5f));
      b[i].qs[j] = static_cast<uint8_t>(lo | hi << 4);
    }
  }
}

void quantize_row_q4_1(const float* src, void* dst, int64_t n) {
  auto* b = static_cast<BlockQ4_1*>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    const auto [lo_it, hi_it] = std::minmax_element(src, src + kQK);
    const float mn = *lo_it, d = (*hi_it - mn) / 15.0f;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    b[i].d = f32_to_f16(d);
    b[i].m = f32_to_f16(mn);
    for (int j = 0; j < kQK / 2; ++j) {
      const int lo = std::min(15, static_cast<int>((src[j] - mn) * id + 0.5f));
      const int hi = std::min(15, static_cast<int>((src[j + 16] - mn) * id + 0.5f));
      b[i].qs[j] = static_cast<uint8_t>(lo | hi << 4);
    }
  }
}

}  // namespace slm::quant
