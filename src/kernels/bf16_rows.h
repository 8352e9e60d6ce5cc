#pragma once
// Rows converted to bfloat16 for the tile GEMM: weight rows dequantized from their block
// format, activation rows rounded (round-to-nearest-even, as the hardware converts).
// The vector variants equal the scalar reference bit for bit: they compute each value with
// the same float operations as quant::dequantize_row before rounding it once to bf16.
#include <cstdint>

#include "tensor/dtype.h"

namespace slm::kernels {

// dst[0..n) = bf16(dequantize(src)); n a multiple of the type's block size.
using Bf16RowFn = void (*)(const void* src, uint16_t* dst, int64_t n);

// The fastest variant for a block type (any type quant::dequantize_row knows).
Bf16RowFn bf16_row_kernel(DType t);
// The scalar reference: quant::dequantize_row, then f32 -> bf16.
void bf16_row_reference(DType t, const void* src, uint16_t* dst, int64_t n);
// The AVX-512 variant of a type, nullptr where there is none (or the CPU lacks AVX-512 BF16).
Bf16RowFn bf16_row_avx512(DType t);

void f32_to_bf16_row(const float* x, uint16_t* dst, int64_t n);
void f32_to_bf16_row_reference(const float* x, uint16_t* dst, int64_t n);

}  // namespace slm::kernels
