#include "tensor/quant/quant.h"

#include <cstring>

#include "base/half.h"
#include "slm/error.h"

namespace slm::quant {

bool is_block_type(DType t) { return dtype_info(t).block_elems > 1; }

static void check_length(DType t, int64_t n) {
  if (n % dtype_info(t).block_elems != 0)
    throw Error(std::string("row length ") + std::to_string(n) + " is not a multiple of the " + dtype_name(t) +
                " block size");
}

void dequantize_row(DType t, const void* src, float* dst, int64_t n) {
  check_length(t, n);
  switch (t) {
    case DType::F32: std::memcpy(dst, src, n * sizeof(float)); return;
    case DType::F16:
      for (int64_t i = 0; i < n; ++i) dst[i] = f16_to_f32(static_cast<const uint16_t*>(src)[i]);
      return;
    case DType::BF16:
      for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_f32(static_cast<const uint16_t*>(src)[i]);
      return;
    case DType::Q4_0: return dequantize_row_q4_0(src, dst, n);
    case DType::Q4_1: return dequantize_row_q4_1(src, dst, n);
    case DType::Q5_0: return dequantize_row_q5_0(src, dst, n);
    case DType::Q5_1: return dequantize_row_q5_1(src, dst, n);
    case DType::Q8_0: return dequantize_row_q8_0(src, dst, n);
    case DType::Q2_K: return dequantize_row_q2_k(src, dst, n);
    case DType::Q3_K: return dequantize_row_q3_k(src, dst, n);
    case DType::Q4_K: return dequantize_row_q4_k(src, dst, n);
    case DType::Q5_K: return dequantize_row_q5_k(src, dst, n);
    case DType::Q6_K: return dequantize_row_q6_k(src, dst, n);
    case DType::Q8_0x4: throw Error("Q8_0x4 rows are read through their group (quant::dequantize_q8_0x4_row)");
  }
}

bool can_quantize(DType t) { return t != DType::Q2_K && t != DType::Q3_K && t != DType::Q8_0x4; }

void quantize_row(DType t, const float* src, void* dst, int64_t n) {
  check_length(t, n);
  switch (t) {
    case DType::F32: std::memcpy(dst, src, n * sizeof(float)); return;
    case DType::F16:
      for (int64_t i = 0; i < n; ++i) static_cast<uint16_t*>(dst)[i] = f32_to_f16(src[i]);
      return;
    case DType::BF16:
      for (int64_t i = 0; i < n; ++i) static_cast<uint16_t*>(dst)[i] = f32_to_bf16(src[i]);
      return;
    case DType::Q4_0: return quantize_row_q4_0(src, dst, n);
    case DType::Q4_1: return quantize_row_q4_1(src, dst, n);
    case DType::Q5_0: return quantize_row_q5_0(src, dst, n);
    case DType::Q5_1: return quantize_row_q5_1(src, dst, n);
    case DType::Q8_0: return quantize_row_q8_0(src, dst, n);
    case DType::Q4_K: return quantize_row_q4_k(src, dst, n);
    case DType::Q5_K: return quantize_row_q5_k(src, dst, n);
    case DType::Q6_K: return quantize_row_q6_k(src, dst, n);
    default: throw Error(std::string("quantizing to ") + dtype_name(t) + " is not supported");
  }
}

}  // namespace slm::quant
