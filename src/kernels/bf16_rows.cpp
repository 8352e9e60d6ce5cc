#include "kernels/bf16_rows.h"

#include <vector>

#include "base/half.h"
#include "tensor/quant/quant.h"

namespace slm::kernels {

void f32_to_bf16_row_reference(const float* x, uint16_t* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = f32_to_bf16(x[i]);
}

void bf16_row_reference(DType t, const void* src, uint16_t* dst, int64_t n) {
  thread_local std::vector<float> row;  // grows once to the widest row, then is reused
  if (row.size() < static_cast<size_t>(n)) row.resize(n);
  quant::dequantize_row(t, src, row.data(), n);
  f32_to_bf16_row(row.data(), dst, n);
}

namespace {
template <DType T>
void reference_of(const void* src, uint16_t* dst, int64_t n) {
  bf16_row_reference(T, src, dst, n);
}
}  // namespace

Bf16RowFn bf16_row_kernel(DType t) {
  if (Bf16RowFn f = bf16_row_avx512(t)) return f;
  switch (t) {
    case DType::Q4_0: return reference_of<DType::Q4_0>;
    case DType::Q4_1: return reference_of<DType::Q4_1>;
    case DType::Q5_0: return reference_of<DType::Q5_0>;
    case DType::Q5_1: return reference_of<DType::Q5_1>;
    case DType::Q8_0: return reference_of<DType::Q8_0>;
    case DType::Q2_K: return reference_of<DType::Q2_K>;
    case DType::Q3_K: return reference_of<DType::Q3_K>;
    case DType::Q4_K: return reference_of<DType::Q4_K>;
    case DType::Q5_K: return reference_of<DType::Q5_K>;
    case DType::Q6_K: return reference_of<DType::Q6_K>;
    default: return nullptr;
  }
}

}  // namespace slm::kernels
