// The AMX variant of the tile GEMM: four 16x16 f32 accumulator tiles (32 tokens x 32 weight
// rows) stay in tile registers for the whole k loop; each step loads two activation tiles and
// two weight tiles and issues four tdpbf16ps. Partial edge tiles go through a small buffer.
#include "base/cpu_features.h"
#include "kernels/tile_gemm.h"
#include "kernels/x86_intrinsics.h"

#include <cstring>


namespace slm::kernels {

#if defined(__x86_64__)
namespace {

#define SLM_AMX __attribute__((target("amx-tile,amx-bf16,avx512f,avx512bw,avx512vl")))

// Palette 1, eight tiles of 16 rows x 64 bytes: 0..3 accumulators, 4..5 activations, 6..7 weights.
struct alignas(64) TileConfig {
  uint8_t palette = 1, start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {64, 64, 64, 64, 64, 64, 64, 64};
  uint8_t rows[16] = {16, 16, 16, 16, 16, 16, 16, 16};
};
static_assert(sizeof(TileConfig) == 64);

// Accumulator tile T covers tokens t0 + 16 * (T / 2) and rows 16 * (T % 2).
struct TilePlace {
  int64_t tokens;  // valid tokens in the tile (0..16)
  int rows;        // valid rows (0..16)
  float* y;        // top-left element in y
  bool full() const { return tokens == 16 && rows == 16; }
};

alignas(64) thread_local float edge_buffer[16 * 16];

// The tile intrinsics paste their register number into the instruction text, so it must be a
// literal: these switches fold away once T is a constant.
SLM_AMX inline void tile_load(int T, const void* p, size_t stride) {
  switch (T) {
    case 0: _tile_loadd(0, p, stride); break;
    case 1: _tile_loadd(1, p, stride); break;
    case 2: _tile_loadd(2, p, stride); break;
    default: _tile_loadd(3, p, stride); break;
  }
}
SLM_AMX inline void tile_store(int T, void* p, size_t stride) {
  switch (T) {
    case 0: _tile_stored(0, p, stride); break;
    case 1: _tile_stored(1, p, stride); break;
    case 2: _tile_stored(2, p, stride); break;
    default: _tile_stored(3, p, stride); break;
  }
}
SLM_AMX inline void tile_zero(int T) {
  switch (T) {
    case 0: _tile_zero(0); break;
    case 1: _tile_zero(1); break;
    case 2: _tile_zero(2); break;
    default: _tile_zero(3); break;
  }
}

template <int T>
SLM_AMX void load_accumulator(const TilePlace& p, const TileGemmArgs& a, const float* bias_tile) {
  if (a.accumulate && p.full()) {
    tile_load(T, p.y, a.y_stride * 4);
  } else if (a.accumulate) {
    std::memset(edge_buffer, 0, sizeof edge_buffer);
    for (int64_t t = 0; t < p.tokens; ++t) std::memcpy(edge_buffer + 16 * t, p.y + t * a.y_stride, p.rows * 4);
    tile_load(T, edge_buffer, 64);
  } else if (bias_tile) {
    tile_load(T, bias_tile, 64);
  } else {
    tile_zero(T);
  }
}

template <int T>
SLM_AMX void store_accumulator(const TilePlace& p, const TileGemmArgs& a) {
  if (p.full()) {
    tile_store(T, p.y, a.y_stride * 4);
    return;
  }
  tile_store(T, edge_buffer, 64);
  for (int64_t t = 0; t < p.tokens; ++t) std::memcpy(p.y + t * a.y_stride, edge_buffer + 16 * t, p.rows * 4);
}

inline int clamp16(int64_t v) { return v < 0 ? 0 : v > 16 ? 16 : static_cast<int>(v); }

}  // namespace

SLM_AMX void tile_gemm_amx(const TileGemmArgs& a) {
  static const TileConfig config;
  _tile_loadconfig(&config);
  const int64_t chunks = a.k / 32;
  const uint16_t* w0 = a.panel;
  const uint16_t* w1 = a.panel + chunks * 512;
  // Bias rows repeated down a tile, so an accumulator can start from them with one load.
  alignas(64) float bias_tiles[2][16 * 16];
  if (a.bias && !a.accumulate)
    for (int h = 0; h < 2; ++h)
      for (int t = 0; t < 16; ++t)
        for (int r = 0; r < 16; ++r) bias_tiles[h][16 * t + r] = 16 * h + r < a.rows_used ? a.bias[16 * h + r] : 0.0f;
  const float* bias0 = a.bias && !a.accumulate ? bias_tiles[0] : nullptr;
  const float* bias1 = a.bias && !a.accumulate ? bias_tiles[1] : nullptr;
  for (int64_t t0 = 0; t0 < a.m; t0 += 32) {
    const TilePlace p0{clamp16(a.m - t0), clamp16(a.rows_used), a.y + t0 * a.y_stride};
    const TilePlace p1{p0.tokens, clamp16(a.rows_used - 16), p0.y + 16};
    const TilePlace p2{clamp16(a.m - t0 - 16), p0.rows, a.y + (t0 + 16) * a.y_stride};
    const TilePlace p3{p2.tokens, p1.rows, p2.y + 16};
    load_accumulator<0>(p0, a, bias0);
    load_accumulator<1>(p1, a, bias1);
    load_accumulator<2>(p2, a, bias0);
    load_accumulator<3>(p3, a, bias1);
    const uint16_t* x0 = a.x + (t0 / 16) * a.x_block_stride;
    const uint16_t* x1 = x0 + a.x_block_stride;
    for (int64_t c = 0; c < chunks; ++c) {
      _tile_loadd(4, x0 + 512 * c, 64);
      _tile_loadd(5, x1 + 512 * c, 64);
      _tile_loadd(6, w0 + 512 * c, 64);
      _tile_loadd(7, w1 + 512 * c, 64);
      _tile_dpbf16ps(0, 4, 6);
      _tile_dpbf16ps(1, 4, 7);
      _tile_dpbf16ps(2, 5, 6);
      _tile_dpbf16ps(3, 5, 7);
    }
    store_accumulator<0>(p0, a);
    store_accumulator<1>(p1, a);
    if (p2.tokens > 0) {
      store_accumulator<2>(p2, a);
      store_accumulator<3>(p3, a);
    }
  }
  _tile_release();
}

// 16 rows of 16 dwords transposed in four butterfly stages: stage s swaps, within every
// 2s x 2s block, the off-diagonal s x s blocks (vpermt2d picks from both rows of a pair).
struct TransposeIndices {
  alignas(64) int32_t lo[4][16], hi[4][16];
  TransposeIndices() {
    for (int stage = 0, s = 8; s >= 1; s /= 2, ++stage)
      for (int j = 0; j < 16; ++j) {
        lo[stage][j] = (j & s) ? 16 + j - s : j;
        hi[stage][j] = (j & s) ? 16 + j : j + s;
      }
  }
};
const TransposeIndices kTranspose;

SLM_AMX static void transpose16x16(__m512i v[16]) {
  int stage = 0;
  for (int s = 8; s >= 1; s /= 2, ++stage) {
    const __m512i lo = _mm512_load_si512(kTranspose.lo[stage]), hi = _mm512_load_si512(kTranspose.hi[stage]);
    for (int i = 0; i < 16; ++i) {
      if (i & s) continue;
      const __m512i a = v[i], b = v[i + s];
      v[i] = _mm512_permutex2var_epi32(a, lo, b);
      v[i + s] = _mm512_permutex2var_epi32(a, hi, b);
    }
  }
}

SLM_AMX static void pack_panel_avx512(const uint16_t* rows, int rows_used, int64_t k, uint16_t* panel) {
  const int64_t chunks = k / 32;
  for (int g = 0; g < 2; ++g)
    for (int64_t c = 0; c < chunks; ++c) {
      __m512i v[16];
      for (int r = 0; r < 16; ++r) {
        const int row = 16 * g + r;
        v[r] = row < rows_used ? _mm512_loadu_si512(rows + row * k + 32 * c) : _mm512_setzero_si512();
      }
      transpose16x16(v);
      uint16_t* out = panel + (g * chunks + c) * 512;
      for (int p = 0; p < 16; ++p) _mm512_storeu_si512(out + 32 * p, v[p]);
    }
}

// The check sits outside the AVX-512 function: its body may use AVX-512 from its first instruction.
void pack_panel(const uint16_t* rows, int rows_used, int64_t k, uint16_t* panel) {
  if (cpu_features().avx512f) return pack_panel_avx512(rows, rows_used, k, panel);
  pack_panel_reference(rows, rows_used, k, panel);
}

#else
void tile_gemm_amx(const TileGemmArgs& a) { tile_gemm_reference(a); }
void pack_panel(const uint16_t* rows, int rows_used, int64_t k, uint16_t* panel) {
  pack_panel_reference(rows, rows_used, k, panel);
}
#endif

}  // namespace slm::kernels
