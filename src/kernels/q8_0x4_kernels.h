#pragma once
// Kernels over Q8_0x4 groups (four interleaved Q8_0 rows; tensor/quant/q8_0x4.h): dot products
// with int8 activation blocks (ActBlock32) for decode and small batches, and conversion to bf16
// for the tile GEMM of prefill. n (values per row) is a multiple of 256.
#include <cstddef>
#include <cstdint>

namespace slm::kernels {

// out[4 * t + r] = row r · x_t for t < n_tokens (<= 8); x_t lives at x + t * x_stride bytes.
using Q8x4DotFn = void (*)(const void* group, const void* x, size_t x_stride, int n_tokens, int64_t n, float* out);

// Scalar reference: per block an exact int32 sum of code products, then one float multiply-add
// with the two scales, blocks in order (as the plain Q8_0 reference).
void q8_0x4_dot_reference(const void* group, const void* x, size_t x_stride, int n_tokens, int64_t n, float* out);
// The AVX-512 VNNI kernel; nullptr where the CPU lacks it. Its block sums are exact; the float
// accumulation runs in another order than the reference.
Q8x4DotFn q8_0x4_dot_avx512();
// What the CPU runs; nullptr where no vector kernel exists, and then weights stay plain Q8_0.
Q8x4DotFn q8_0x4_dot_best();

// Values [k0, k0 + len) of the group's four rows as bf16: row r to dst + r * dst_stride.
// k0 and len multiples of 256.
using Q8x4Bf16Fn = void (*)(const void* group, int64_t k0, int64_t len, uint16_t* dst, int64_t dst_stride);
void q8_0x4_to_bf16_reference(const void* group, int64_t k0, int64_t len, uint16_t* dst, int64_t dst_stride);
// Bit-identical to the reference; nullptr without AVX-512 BF16.
Q8x4Bf16Fn q8_0x4_to_bf16_avx512();
Q8x4Bf16Fn q8_0x4_to_bf16_best();

}  // namespace slm::kernels
