#pragma once
// Rotary position embedding in the rotate-half layout (pairs i, i + rot_dim/2 of each head).
#include <cstdint>

namespace slm::kernels {

// x: n_heads heads of head_dim values; the first rot_dim dims are rotated by angle pos·inv_freq[i],
// cos/sin scaled by `mscale` (YaRN / LongRoPE attention factor; 1 otherwise).
void rope_rotate_half(float* x, int64_t n_heads, int64_t head_dim, int64_t rot_dim, const float* cos_table,
                      const float* sin_table);

// cos/sin tables for one position: rot_dim/2 entries each.
void rope_tables(double pos, const float* inv_freq, int64_t half, double mscale, float* cos_out, float* sin_out);

}  // namespace slm::kernels
