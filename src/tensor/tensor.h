#pragma once
// A non-owning view of a weight: dtype, shape in row-major order (outermost first, as
// Hugging Face/numpy write it: a linear layer is [out_features, in_features]), and data.
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/dtype.h"

namespace slm {

struct Tensor {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  const void* data = nullptr;

  int64_t numel() const {
    int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
  }
  size_t nbytes() const { return dtype_bytes(dtype, static_cast<size_t>(numel())); }
  int64_t rows() const { return shape.size() < 2 ? 1 : numel() / shape.back(); }
  int64_t cols() const { return shape.empty() ? 1 : shape.back(); }
  const float* f32() const { return static_cast<const float*>(data); }
};

std::string shape_string(const std::vector<int64_t>& shape);

// Reads element i as float (any non-block dtype); for tests and slow paths only.
float tensor_element(const Tensor& t, int64_t i);

}  // namespace slm
