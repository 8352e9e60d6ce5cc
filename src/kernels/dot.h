#pragma once
// Dot products of a weight row (f32 / bf16 / f16) with f32 activations, and row conversion.
// Each has a scalar reference and SIMD variants; the fastest the CPU supports is chosen once.
#include <cstdint>

#include "tensor/dtype.h"
#include "tensor/tensor.h"

namespace slm::kernels {

struct DotKernels {
  const char* name;
  float (*dot_f32)(const float* a, const float* b, int64_t n);
  float (*dot_bf16)(const uint16_t* w, const float* x, int64_t n);
  float (*dot_f16)(const uint16_t* w, const float* x, int64_t n);
  void (*bf16_to_f32)(const uint16_t* src, float* dst, int64_t n);
  void (*f16_to_f32)(const uint16_t* src, float* dst, int64_t n);
  void (*f32_to_f16)(const float* src, uint16_t* dst, int64_t n);  // round to nearest even
  void (*axpy_f32)(float a, const float* x, float* y, int64_t n);  // y += a * x
};

const DotKernels& dot_scalar();
const DotKernels* dot_avx2();  // nullptr when the CPU lacks AVX2+FMA+F16C
const DotKernels& dot_best();  // chosen once from the CPU features

inline float dot_f32(const float* a, const float* b, int64_t n) { return dot_best().dot_f32(a, b, n); }
inline void axpy_f32(float a, const float* x, float* y, int64_t n) { dot_best().axpy_f32(a, x, y, n); }

// Converts n elements of a row of any dtype (block types are dequantized) to f32.
void row_to_f32(DType dtype, const void* row, float* dst, int64_t n);
// Row `row` of a matrix as f32, whatever its layout (a Q8_0x4 row is found through its group).
void matrix_row_to_f32(const Tensor& m, int64_t row, float* dst);
// w_row · x for a row of any non-block dtype.
float dot_row(DType dtype, const void* row, const float* x, int64_t n);

}  // namespace slm::kernels
