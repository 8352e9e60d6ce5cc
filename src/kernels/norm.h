#pragma once
// RMSNorm: y = x / sqrt(mean(x²) + eps) * w, row by row.
#include <cstdint>

namespace slm::kernels {

// n_rows rows of width n; w has n entries (nullptr: no scale). x and y may alias.
void rms_norm(const float* x, const float* w, float* y, int64_t n_rows, int64_t n, float eps);

}  // namespace slm::kernels
