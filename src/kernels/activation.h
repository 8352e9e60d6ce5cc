#pragma once
// Gated activations of the MLP: out = act(gate) * up, element by element (out may be gate).
#include <cstdint>

namespace slm::kernels {

void silu_mul(const float* gate, const float* up, float* out, int64_t n);
// GELU with the tanh approximation (gelu_pytorch_tanh), exact arithmetic (no lookup table).
void gelu_tanh_mul(const float* gate, const float* up, float* out, int64_t n);

}  // namespace slm::kernels
