#pragma once
// The prefill GEMM on Intel AMX tiles: bf16 products, f32 accumulation over the whole row.
//
// A panel is 32 weight rows, k values each, repacked so that each 16-row half is a column of
// AMX "B" tiles: for every 32 k values, 16 rows of 64 bytes holding the pairs
// (w[r][2p], w[r][2p+1]) for r = 0..15 (the pair-interleaved layout tdpbf16ps reads).
// Activations are bf16 in tiles too: for every 16 tokens and 32 k values, 16 rows of 64 bytes
// ("A" tiles), so each tile load reads one contiguous kilobyte.
#include <cstddef>
#include <cstdint>

namespace slm::kernels {

constexpr int kPanelRows = 32;  // weight rows per panel (two tiles of 16)
constexpr int kTileTokens = 32; // tokens per step (two tiles of 16)

// Panel size in uint16 for k values per row (k a multiple of 32).
inline size_t panel_elements(int64_t k) { return static_cast<size_t>(kPanelRows) * k; }

// Repacks rows[r][0..k) (bf16, r < rows <= 32, row stride k) into a panel; missing rows are zero.
void pack_panel(const uint16_t* rows, int rows_used, int64_t k, uint16_t* panel);
void pack_panel_reference(const uint16_t* rows, int rows_used, int64_t k, uint16_t* panel);

// Tile layout of activations: token t, value i of a row of k values sits at
// x[((t / 16) * (k / 32) + i / 32) * 512 + (t % 16) * 32 + i % 32].
inline size_t tile_offset(int64_t t, int64_t i, int64_t k) {
  return static_cast<size_t>(((t / 16) * (k / 32) + i / 32) * 512 + (t % 16) * 32 + i % 32);
}
// Copies a bf16 row (k values) of token t into the tile layout.
void scatter_row_to_tiles(const uint16_t* row, int64_t t, int64_t k, uint16_t* x);

// y[t][r] (+)= Σ_k x[t][k] * w[r][k] for t < m, r < rows_used (<= 32); y row stride y_stride.
// x: activations in the tile layout, starting at the first k value to use, token blocks
// x_block_stride elements apart; readable up to m rounded up to 32 tokens (the extra tokens may
// hold anything). accumulate: add to y's values, else start from bias (or zero when null).
struct TileGemmArgs {
  const uint16_t* panel;
  int rows_used;
  const uint16_t* x;
  int64_t x_block_stride;
  int64_t m, k;
  float* y;
  int64_t y_stride;
  const float* bias;  // bias[r], r < rows_used; may be null
  bool accumulate;
};
void tile_gemm_amx(const TileGemmArgs& a);        // needs cpu_features().amx_bf16
void tile_gemm_reference(const TileGemmArgs& a);  // scalar, the same products in f32

}  // namespace slm::kernels
