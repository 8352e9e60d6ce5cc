#include "kernels/tile_gemm.h"

#include <cstring>

#include "base/half.h"

namespace slm::kernels {

void pack_panel_reference(const uint16_t* rows, int rows_used, int64_t k, uint16_t* panel) {
  const int64_t chunks = k / 32;
  for (int g = 0; g < 2; ++g)
    for (int64_t c = 0; c < chunks; ++c)
      for (int p = 0; p < 16; ++p)
        for (int r = 0; r < 16; ++r)
          for (int e = 0; e < 2; ++e) {
            const int row = 16 * g + r;
            panel[(g * chunks + c) * 512 + p * 32 + r * 2 + e] =
                row < rows_used ? rows[row * k + 32 * c + 2 * p + e] : 0;
          }
}

void scatter_row_to_tiles(const uint16_t* row, int64_t t, int64_t k, uint16_t* x) {
  for (int64_t i = 0; i < k; i += 32) std::memcpy(x + tile_offset(t, i, k), row + i, 64);
}

void tile_gemm_reference(const TileGemmArgs& a) {
  const int64_t chunks = a.k / 32;
  for (int64_t t = 0; t < a.m; ++t)
    for (int r = 0; r < a.rows_used; ++r) {
      const uint16_t* packed = a.panel + (r / 16) * chunks * 512;
      float sum = a.accumulate ? a.y[t * a.y_stride + r] : (a.bias ? a.bias[r] : 0.0f);
      for (int64_t i = 0; i < a.k; ++i) {
        const uint16_t w = packed[(i / 32) * 512 + (i % 32) / 2 * 32 + (r % 16) * 2 + i % 2];
        const uint16_t x = a.x[(t / 16) * a.x_block_stride + (i / 32) * 512 + (t % 16) * 32 + i % 32];
        sum += bf16_to_f32(x) * bf16_to_f32(w);
      }
      a.y[t * a.y_stride + r] = sum;
    }
}

}  // namespace slm::kernels
