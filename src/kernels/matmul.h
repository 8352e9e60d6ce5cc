#pragma once
// y = x · Wᵀ (+ bias) for a linear layer W [out, in] and n tokens of activations x [n, in].
// Work is split by output rows, so the result does not depend on the thread count.
#include <cstdint>
#include <span>

#include "base/thread_pool.h"
#include "tensor/tensor.h"

namespace slm::kernels {

void matmul(const Tensor& w, const float* x, int64_t n_tokens, float* y, ThreadPool& pool,
            const float* bias = nullptr);

// Several matrices applied to the same activations (q, k and v; gate and up). Decoding one
// token with block-quantized weights, they run as one pass over the pool: the activations are
// quantized once and the threads meet at one barrier instead of one per matrix. Otherwise each
// is an ordinary matmul. Results equal separate matmul calls.
struct MatmulOutput {
  const Tensor* w;
  float* y;
  const float* bias = nullptr;
};
void matmul_group(std::span<const MatmulOutput> outputs, const float* x, int64_t n_tokens, ThreadPool& pool);

// The same in double precision over dequantized weight rows (f32 activations): the reference for tests.
void matmul_reference(const Tensor& w, const float* x, int64_t n_tokens, float* y, const float* bias = nullptr);

}  // namespace slm::kernels
