#include "tensor/tensor.h"

#include "base/half.h"
#include "slm/error.h"

namespace slm {

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

float tensor_element(const Tensor& t, int64_t i) {
  switch (t.dtype) {
    case DType::F32: return static_cast<const float*>(t.data)[i];
    case DType::F16: return f16_to_f32(static_cast<const uint16_t*>(t.data)[i]);
    case DType::BF16: return bf16_to_f32(static_cast<const uint16_t*>(t.data)[i]);
    default: throw Error(std::string("tensor_element: block type ") + dtype_name(t.dtype));
  }
}

}  // namespace slm
