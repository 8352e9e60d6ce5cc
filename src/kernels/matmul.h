#pragma once
// y = x · Wᵀ (+ bias) for a linear layer W [out, in] and n tokens of activations x [n, in].
// Work is split by output rows, so the result does not depend on the thread count.
#include <cstdint>

#include "base/thread_pool.h"
#include "tensor/tensor.h"

namespace slm::kernels {

void matmul(const Tensor& w, const float* x, int64_t n_tokens, float* y, ThreadPool& pool,
            const float* bias = nullptr);

// The same in double precision over dequantized weight rows (f32 activations): the reference for tests.
void matmul_reference(const Tensor& w, const float* x, int64_t n_tokens, float* y, const float* bias = nullptr);

}  // namespace slm::kernels
