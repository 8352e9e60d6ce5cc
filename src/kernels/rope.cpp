#include "kernels/rope.h"

#include <cmath>

namespace slm::kernels {

void rope_tables(double pos, const float* inv_freq, int64_t half, double mscale, float* cos_out, float* sin_out) {
  for (int64_t i = 0; i < half; ++i) {
    // The angle in f32 as the references compute it: pos * inv_freq rounded once.
    const float angle = static_cast<float>(pos) * inv_freq[i];
    cos_out[i] = static_cast<float>(std::cos(static_cast<double>(angle)) * mscale);
    sin_out[i] = static_cast<float>(std::sin(static_cast<double>(angle)) * mscale);
  }
}

void rope_rotate_half(float* x, int64_t n_heads, int64_t head_dim, int64_t rot_dim, const float* cos_table,
                      const float* sin_table) {
  const int64_t half = rot_dim / 2;
  for (int64_t h = 0; h < n_heads; ++h) {
    float* v = x + h * head_dim;
    for (int64_t i = 0; i < half; ++i) {
      const float a = v[i], b = v[i + half];
      v[i] = a * cos_table[i] - b * sin_table[i];
      v[i + half] = b * cos_table[i] + a * sin_table[i];
    }
  }
}

}  // namespace slm::kernels
