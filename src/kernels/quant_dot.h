#pragma once
// Dot products of block-quantized weight rows with activations quantized to int8 blocks.
// 32-value weight types (Q4_0 … Q8_0) pair with ActBlock32, K-quants with ActBlock256.
// One call takes a weight row and up to token_tile activation rows, so a weight block is
// decoded once and reused for every token of the tile (the inner kernel of the prefill GEMM).
// Each variant (scalar reference, AVX2, AVX-512) computes the same integer block sums.
#include <cstddef>
#include <cstdint>

#include "tensor/dtype.h"
#include "tensor/quant/blocks.h"

namespace slm::kernels {

constexpr int kMaxTokenTile = 8;  // the widest tile any variant takes

// out[t] = w · x_t for t < n_tokens; x_t lives at x + t * x_stride bytes; n values per row.
using QuantDotFn = void (*)(const void* w, const void* x, size_t x_stride, int n_tokens, int64_t n, float* out);

// Decode: out[r] = w_r · x for the four weight rows w_r = w + r * row_bytes, one activation row.
// The activation block and its scale are loaded once for the four rows, and four weight streams
// are in flight at once. Each out[r] is bit-identical to the variant's QuantDotFn on row r.
using QuantRows4Fn = void (*)(const void* w, size_t row_bytes, const void* x, int64_t n, float* out);

struct QuantDotKernels {
  const char* name;
  int token_tile;  // tokens per call the variant is built for (<= kMaxTokenTile); any 1..token_tile works
  QuantDotFn by_dtype[kDTypeCount];  // indexed by DType; nullptr for non-block types
  QuantRows4Fn rows4_by_dtype[kDTypeCount];  // nullptr where the variant has none (then rows go one by one)
  QuantDotFn get(DType t) const { return by_dtype[static_cast<int>(t)]; }
  QuantRows4Fn rows4(DType t) const { return rows4_by_dtype[static_cast<int>(t)]; }
};

const QuantDotKernels& quant_dot_scalar();
const QuantDotKernels* quant_dot_avx2();    // nullptr without AVX2+FMA+F16C
const QuantDotKernels* quant_dot_avx512();  // nullptr without AVX-512 F/BW/VNNI
const QuantDotKernels& quant_dot_best();

// Activation format for a weight type: true = ActBlock256 (K-quants), false = ActBlock32.
bool uses_act256(DType weight);
// Bytes of one quantized activation row of n values for that weight type.
size_t act_row_bytes(DType weight, int64_t n);
// Quantizes one activation row (absmax per block to [-127, 127]).
void quantize_activations(DType weight, const float* x, void* out, int64_t n);
// These run the AVX-512 variant where the CPU has it: equal to the scalar reference bit for bit
// (the same float operations per value) and ~7x faster (8192 values: 14 -> 2 us), which matters
// because each decode matmul waits for its activations to be quantized on one thread.
void quantize_act32(const float* x, quant::ActBlock32* out, int64_t n);
void quantize_act256(const float* x, quant::ActBlock256* out, int64_t n);
void quantize_act32_reference(const float* x, quant::ActBlock32* out, int64_t n);
void quantize_act256_reference(const float* x, quant::ActBlock256* out, int64_t n);
using Act32Fn = void (*)(const float* x, quant::ActBlock32* out, int64_t n);
using Act256Fn = void (*)(const float* x, quant::ActBlock256* out, int64_t n);
Act32Fn quantize_act32_avx512();    // nullptr without AVX-512 F/BW
Act256Fn quantize_act256_avx512();

}  // namespace slm::kernels
