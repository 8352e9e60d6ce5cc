#include "kernels/q8_0x4_kernels.h"

#include <vector>

#include "base/half.h"
#include "kernels/bf16_rows.h"
#include "tensor/quant/blocks.h"
#include "tensor/quant/q8_0x4.h"

namespace slm::kernels {

using namespace quant;

void q8_0x4_dot_reference(const void* group, const void* x, size_t x_stride, int n_tokens, int64_t n, float* out) {
  const auto* g = static_cast<const uint8_t*>(group);
  for (int t = 0; t < n_tokens; ++t) {
    const auto* xb = reinterpret_cast<const ActBlock32*>(static_cast<const uint8_t*>(x) + t * x_stride);
    for (int r = 0; r < 4; ++r) {
      float acc = 0;
      for (int64_t b = 0; b < n / kQK; ++b) {
        const uint8_t* span = g + b / 8 * kQ8x4SpanBytes;
        const int j = static_cast<int>(b % 8);
        uint16_t dh;
        __builtin_memcpy(&dh, span + q8x4_scale_offset(j, r), 2);
        int32_t sum = 0;
        for (int h = 0; h < 2; ++h)
          for (int i = 0; i < 16; ++i)
            sum += (static_cast<int>(span[q8x4_code_offset(j, h, r) + i]) - 128) * xb[b].qs[16 * h + i];
        acc += static_cast<float>(sum) * (f16_to_f32(dh) * xb[b].d);
      }
      out[4 * t + r] = acc;
    }
  }
}

void q8_0x4_to_bf16_reference(const void* group, int64_t k0, int64_t len, uint16_t* dst, int64_t dst_stride) {
  thread_local std::vector<float> row;
  if (row.size() < static_cast<size_t>(len)) row.resize(len);
  for (int r = 0; r < 4; ++r) {
    dequantize_q8_0x4_row(static_cast<const uint8_t*>(group), r, k0, len, row.data());
    f32_to_bf16_row_reference(row.data(), dst + r * dst_stride, len);
  }
}

Q8x4DotFn q8_0x4_dot_best() {
  static const Q8x4DotFn best = q8_0x4_dot_avx512();
  return best;
}

Q8x4Bf16Fn q8_0x4_to_bf16_best() {
  static const Q8x4Bf16Fn best = [] {
    const Q8x4Bf16Fn f = q8_0x4_to_bf16_avx512();
    return f ? f : q8_0x4_to_bf16_reference;
  }();
  return best;
}

}  // namespace slm::kernels
