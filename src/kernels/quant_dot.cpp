#include "kernels/quant_dot.h"

#include <algorithm>
#include <cmath>

#include "base/cpu_features.h"

namespace slm::kernels {

using namespace quant;

bool uses_act256(DType weight) {
  switch (weight) {
    case DType::Q2_K: case DType::Q3_K: case DType::Q4_K: case DType::Q5_K: case DType::Q6_K: return true;
    default: return false;
  }
}

size_t act_row_bytes(DType weight, int64_t n) {
  return uses_act256(weight) ? n / kQK_K * sizeof(ActBlock256) : n / kQK * sizeof(ActBlock32);
}

// Round to nearest even for |x| < 2^22 without a libm call (std::nearbyint is one per value).
static inline float round_nearest(float x) { return (x + 12582912.0f) - 12582912.0f; }

// Written as plain fixed-length loops: the compiler vectorises them well enough for an O(n) step.
static float block_scale(const float* x, int n, float& inv) {
  float amax = 0;
  for (int i = 0; i < n; ++i) amax = std::max(amax, std::fabs(x[i]));
  const float d = amax / 127.0f;
  inv = d > 0 ? 1.0f / d : 0.0f;
  return d;
}

void quantize_act32_reference(const float* x, ActBlock32* out, int64_t n) {
  for (int64_t b = 0; b < n / kQK; ++b, x += kQK) {
    float inv;
    out[b].d = block_scale(x, kQK, inv);
    int32_t sum = 0;
    for (int i = 0; i < kQK; ++i) {
      out[b].qs[i] = static_cast<int8_t>(round_nearest(x[i] * inv));
      sum += out[b].qs[i];
    }
    out[b].sum = sum;
  }
}

void quantize_act256_reference(const float* x, ActBlock256* out, int64_t n) {
  for (int64_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
    float inv;
    out[b].d = block_scale(x, kQK_K, inv);
    for (int i = 0; i < kQK_K; ++i) out[b].qs[i] = static_cast<int8_t>(round_nearest(x[i] * inv));
    for (int g = 0; g < kQK_K / 16; ++g) {
      int s = 0;
      for (int i = 0; i < 16; ++i) s += out[b].qs[16 * g + i];
      out[b].sums[g] = static_cast<int16_t>(s);
    }
  }
}

void quantize_act32(const float* x, ActBlock32* out, int64_t n) {
  static const Act32Fn f = quantize_act32_avx512() ? quantize_act32_avx512() : quantize_act32_reference;
  f(x, out, n);
}

void quantize_act256(const float* x, ActBlock256* out, int64_t n) {
  static const Act256Fn f = quantize_act256_avx512() ? quantize_act256_avx512() : quantize_act256_reference;
  f(x, out, n);
}

void quantize_activations(DType weight, const float* x, void* out, int64_t n) {
  if (uses_act256(weight)) quantize_act256(x, static_cast<ActBlock256*>(out), n);
  else quantize_act32(x, static_cast<ActBlock32*>(out), n);
}

const QuantDotKernels& quant_dot_best() {
  static const QuantDotKernels& best = [&]() -> const QuantDotKernels& {
    if (const auto* k = quant_dot_avx512()) return *k;
    if (const auto* k = quant_dot_avx2()) return *k;
    return quant_dot_scalar();
  }();
  return best;
}

}  // namespace slm::kernels
