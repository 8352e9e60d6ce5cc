#include "kernels/matmul.h"

#include <algorithm>
#include <vector>

#include "base/balanced_for.h"
#include "base/cpu_features.h"
#include "kernels/bf16_rows.h"
#include "kernels/dot.h"
#include "kernels/q8_0x4_kernels.h"
#include "kernels/quant_dot.h"
#include "kernels/tile_gemm.h"
#include "tensor/quant/quant.h"

namespace slm::kernels {

namespace {

// Prefill on AMX tiles: per panel of 32 weight rows, the rows are dequantized to bf16, repacked
// for the tiles and multiplied with every token's activations (rounded to bf16 once). Where the
// activations of all tokens would not stay in L2 across panels, k is cut into slices (multiples
// of 256, so every block type splits on block boundaries) accumulated into y, and only the
// current slice's activations are converted and held.
// bf16 keeps 8 significant bits: the rounding of a weight or activation is below 0.4% of it,
// smaller than the int8 activation quantization of the vector path.
constexpr int64_t kTileMinTokens = 16;
constexpr int64_t kActivationSliceBytes = 1 << 20;

// The next panel's weights, into L2 while the tiles work on this one: dequantizing a panel
// straight from memory would otherwise wait on every row (32 rows a row length apart).
void prefetch_panel(const uint8_t* first_row, size_t row_bytes, int64_t rows, size_t bytes) {
  for (int64_t r = 0; r < rows; ++r)
    for (size_t o = 0; o < bytes; o += 64) __builtin_prefetch(first_row + r * row_bytes + o, 0, 2);
}

void matmul_tiles(const Tensor& w, const float* x, int64_t n_tokens, float* y, ThreadPool& pool,
                  const float* bias) {
  const int64_t out = w.rows(), in = w.cols();
  const size_t row_bytes = dtype_bytes(w.dtype, static_cast<size_t>(in));
  const int64_t padded_tokens = (n_tokens + kTileTokens - 1) / kTileTokens * kTileTokens;
  int64_t slice = in;
  if (padded_tokens * in * 2 > kActivationSliceBytes)
    slice = std::max<int64_t>(256, kActivationSliceBytes / (padded_tokens * 2) / 256 * 256);
  // One k-slice of every token's activations, in bf16 and the tile layout (at most ~1 MiB).
  thread_local std::vector<uint16_t> x_buffer;
  if (x_buffer.size() < static_cast<size_t>(padded_tokens * slice)) x_buffer.resize(padded_tokens * slice);
  uint16_t* const xb = x_buffer.data();
  const bool grouped = w.dtype == DType::Q8_0x4;
  const Bf16RowFn to_bf16 = grouped ? nullptr : bf16_row_kernel(w.dtype);
  const Q8x4Bf16Fn group_to_bf16 = grouped ? q8_0x4_to_bf16_best() : nullptr;
  const auto* base = static_cast<const uint8_t*>(w.data);
  const int64_t panels = (out + kPanelRows - 1) / kPanelRows;
  for (int64_t k0 = 0; k0 < in; k0 += slice) {
    const int64_t len = std::min(slice, in - k0);
    pool.parallel_for(static_cast<size_t>(n_tokens), [&](size_t begin, size_t end, int) {
      thread_local std::vector<uint16_t> row;
      if (row.size() < static_cast<size_t>(len)) row.resize(len);
      for (size_t t = begin; t < end; ++t) {
        f32_to_bf16_row(x + t * in + k0, row.data(), len);
        scatter_row_to_tiles(row.data(), static_cast<int64_t>(t), len, xb);
      }
    });
    const size_t offset = dtype_bytes(w.dtype, static_cast<size_t>(k0));
    const size_t slice_bytes = dtype_bytes(w.dtype, static_cast<size_t>(len));
    pool.parallel_for(static_cast<size_t>(panels), [&](size_t begin, size_t end, int) {
      thread_local std::vector<uint16_t> rows, panel;
      if (rows.size() < panel_elements(len)) rows.resize(panel_elements(len)), panel.resize(panel_elements(len));
      for (size_t p = begin; p < end; ++p) {
        const int64_t r0 = static_cast<int64_t>(p) * kPanelRows;
        const int used = static_cast<int>(std::min<int64_t>(kPanelRows, out - r0));
        if (grouped)  // a Q8_0x4 group holds the slice of its four rows at four times the offset
          for (int r = 0; r < used; r += 4) group_to_bf16(base + (r0 + r) * row_bytes, k0, len, rows.data() + r * len, len);
        else
          for (int r = 0; r < used; ++r) to_bf16(base + (r0 + r) * row_bytes + offset, rows.data() + r * len, len);
        pack_panel(rows.data(), used, len, panel.data());
        if (p + 1 < end) {
          const int64_t next = std::min<int64_t>(kPanelRows, out - r0 - kPanelRows);
          if (grouped)
            prefetch_panel(base + (r0 + kPanelRows) * row_bytes + 4 * offset, 4 * row_bytes, next / 4, 4 * slice_bytes);
          else
            prefetch_panel(base + (r0 + kPanelRows) * row_bytes + offset, row_bytes, next, slice_bytes);
        }
        tile_gemm_amx({panel.data(), used, xb, len * 16, n_tokens, len, y + r0, out,
                       bias ? bias + r0 : nullptr, k0 > 0});
      }
    });
  }
}

// One token (activations already quantized) through rows [begin, end) of a block-quantized
// matrix: four rows per call where the variant has a four-row kernel, else one by one.
// Results collect in a local buffer and reach y in one copy per stretch of rows: y's cache lines
// were last written by other threads, and claiming them one by one in the middle of the weight
// stream slowed decoding by ~6% (each claim stalls the stream while the line changes core).
void decode_rows(const Tensor& w, const uint8_t* acts, int64_t begin, int64_t end, float* y, const float* bias) {
  constexpr int64_t kStretch = 512;
  const int64_t in = w.cols();
  const size_t row_bytes = dtype_bytes(w.dtype, static_cast<size_t>(in));
  const size_t act_bytes = act_row_bytes(w.dtype, in);
  const auto* base = static_cast<const uint8_t*>(w.data);
  const QuantRows4Fn rows4 = quant_dot_best().rows4(w.dtype);
  const QuantDotFn dot = quant_dot_best().get(w.dtype);
  const Q8x4DotFn group_dot = w.dtype == DType::Q8_0x4 ? q8_0x4_dot_best() : nullptr;
  alignas(64) float local[kStretch];
  for (int64_t s0 = begin; s0 < end; s0 += kStretch) {
    const int64_t s1 = std::min(end, s0 + kStretch);
    int64_t o = s0;
    if (group_dot)  // begin and end are multiples of 4 for Q8_0x4
      for (; o < s1; o += 4) group_dot(base + o * row_bytes, acts, 0, 1, in, local + (o - s0));
    else if (rows4)
      for (; o + 4 <= s1; o += 4) rows4(base + o * row_bytes, row_bytes, acts, in, local + (o - s0));
    for (float result[kMaxTokenTile]; o < s1; ++o) {
      dot(base + o * row_bytes, acts, act_bytes, 1, in, result);
      local[o - s0] = result[0];
    }
    for (o = s0; o < s1; ++o) y[o] = local[o - s0] + (bias ? bias[o] : 0.0f);
  }
}

// Decode hands out rows in guided claims (half of what is left of a share) of at least this
// many rows (a multiple of 4, so Q8_0x4 groups and four-row kernels stay whole): the last
// claims of a matrix take a few microseconds, so the threads finish close together. Measured on
// 3B-shaped layers (DecodeLayersFromMemory, 2 threads) against fixed 256-row grains: Q8_0x4
// +1-2%, Q4_K +3-6%; minimums of 16 to 64 rows measure alike.
constexpr int64_t kDecodeGrainRows = 32;

// n_tokens activation rows quantized for `weight`'s kernels, in a buffer reused across calls:
// no allocation per token. (Workers must be handed the pointer: inside a lambda a thread_local
// names the running thread's own instance.)
const uint8_t* quantized_tokens(DType weight, const float* x, int64_t n_tokens, int64_t in, ThreadPool& pool) {
  thread_local std::vector<uint8_t> buffer;
  const size_t act_bytes = act_row_bytes(weight, in);
  if (buffer.size() < act_bytes * n_tokens) buffer.resize(act_bytes * n_tokens);
  uint8_t* const acts = buffer.data();
  const auto quantize = [&](size_t begin, size_t end, int) {
    for (size_t t = begin; t < end; ++t) quantize_activations(weight, x + t * in, acts + t * act_bytes, in);
  };
  if (n_tokens >= 8) pool.parallel_for(static_cast<size_t>(n_tokens), quantize);
  else quantize(0, static_cast<size_t>(n_tokens), 0);
  return acts;
}

// Q8_0x4 weights (activations already quantized): threads split the groups of four rows. Small
// batches run a tile of tokens per kernel call, so each group is read once per tile.
void matmul_groups(const Tensor& w, const uint8_t* acts, int64_t n_tokens, float* y, ThreadPool& pool,
                   const float* bias) {
  const int64_t out = w.rows(), in = w.cols();
  if (n_tokens == 1) {
    balanced_for(pool, out / 4, kDecodeGrainRows / 4, [&](int64_t begin, int64_t end) {
      decode_rows(w, acts, begin * 4, end * 4, y, bias);
    });
    return;
  }
  const size_t group_bytes = 4 * dtype_bytes(w.dtype, static_cast<size_t>(in));
  const size_t act_bytes = act_row_bytes(w.dtype, in);
  const Q8x4DotFn dot = q8_0x4_dot_best();
  const auto* base = static_cast<const uint8_t*>(w.data);
  pool.parallel_for(static_cast<size_t>(out / 4), [&](size_t begin, size_t end, int) {
    float result[4 * kMaxTokenTile];
    for (size_t g = begin; g < end; ++g)
      for (int64_t t0 = 0; t0 < n_tokens; t0 += kMaxTokenTile) {
        const int nt = static_cast<int>(std::min<int64_t>(kMaxTokenTile, n_tokens - t0));
        dot(base + g * group_bytes, acts + t0 * act_bytes, act_bytes, nt, in, result);
        for (int t = 0; t < nt; ++t)
          for (int r = 0; r < 4; ++r) {
            const int64_t o = static_cast<int64_t>(g) * 4 + r;
            y[(t0 + t) * out + o] = result[4 * t + r] + (bias ? bias[o] : 0.0f);
          }
      }
  });
}

// Block-quantized weights: the activation rows are quantized once, then each thread runs its
// output rows. Prefill tiles rows x tokens: a chunk of tokens whose quantized activations fit in
// L2 is swept by a band of rows small enough to stay in L1, a tile of tokens per kernel call,
// so each weight block is decoded once per tile instead of once per token.
void matmul_quantized(const Tensor& w, const float* x, int64_t n_tokens, float* y, ThreadPool& pool,
                      const float* bias) {
  if (n_tokens >= kTileMinTokens && cpu_features().amx_bf16) return matmul_tiles(w, x, n_tokens, y, pool, bias);
  const int64_t out = w.rows(), in = w.cols();
  const uint8_t* const acts = quantized_tokens(w.dtype, x, n_tokens, in, pool);
  if (w.dtype == DType::Q8_0x4) return matmul_groups(w, acts, n_tokens, y, pool, bias);
  if (n_tokens == 1) {
    balanced_for(pool, out, kDecodeGrainRows, [&](int64_t begin, int64_t end) { decode_rows(w, acts, begin, end, y, bias); });
    return;
  }
  const size_t row_bytes = dtype_bytes(w.dtype, static_cast<size_t>(in));
  const size_t act_bytes = act_row_bytes(w.dtype, in);
  const QuantDotFn dot = quant_dot_best().get(w.dtype);
  const int64_t tile = quant_dot_best().token_tile;
  const auto* base = static_cast<const uint8_t*>(w.data);
  const int64_t token_chunk = std::max<int64_t>(tile, (256 << 10) / static_cast<int64_t>(act_bytes));
  const int64_t row_band = std::max<int64_t>(1, (16 << 10) / static_cast<int64_t>(row_bytes));
  pool.parallel_for(static_cast<size_t>(out), [&](size_t begin, size_t end, int) {
    float result[kMaxTokenTile];
    for (int64_t c0 = 0; c0 < n_tokens; c0 += token_chunk) {
      const int64_t c1 = std::min(n_tokens, c0 + token_chunk);
      for (int64_t r0 = static_cast<int64_t>(begin); r0 < static_cast<int64_t>(end); r0 += row_band) {
        const int64_t r1 = std::min(static_cast<int64_t>(end), r0 + row_band);
        for (int64_t t0 = c0; t0 < c1; t0 += tile) {
          const int nt = static_cast<int>(std::min<int64_t>(tile, c1 - t0));
          for (int64_t o = r0; o < r1; ++o) {
            dot(base + o * row_bytes, acts + t0 * act_bytes, act_bytes, nt, in, result);
            const float b = bias ? bias[o] : 0.0f;
            for (int t = 0; t < nt; ++t) y[(t0 + t) * out + o] = result[t] + b;
          }
        }
      }
    }
  });
}

}  // namespace

void matmul_group(std::span<const MatmulOutput> outputs, const float* x, int64_t n_tokens, ThreadPool& pool) {
  bool one_pass = n_tokens == 1 && outputs.size() > 1;
  bool any_grouped = false, all_by_four = true;
  for (const MatmulOutput& o : outputs) {
    one_pass = one_pass && quant::is_block_type(o.w->dtype) && o.w->cols() == outputs[0].w->cols() &&
               uses_act256(o.w->dtype) == uses_act256(outputs[0].w->dtype);
    any_grouped = any_grouped || o.w->dtype == DType::Q8_0x4;
    all_by_four = all_by_four && o.w->rows() % 4 == 0;
  }
  if (!one_pass || (any_grouped && !all_by_four)) {
    for (const MatmulOutput& o : outputs) matmul(*o.w, x, n_tokens, o.y, pool, o.bias);
    return;
  }
  // Every matrix takes the same activation blocks, so they are quantized once, and the rows of
  // all the matrices are split across the threads as one range (in fours where rows are grouped).
  const uint8_t* acts = quantized_tokens(outputs[0].w->dtype, x, 1, outputs[0].w->cols(), pool);
  const int64_t unit = any_grouped ? 4 : 1;
  int64_t total = 0;
  for (const MatmulOutput& o : outputs) total += o.w->rows();
  balanced_for(pool, total / unit, kDecodeGrainRows / unit, [&](int64_t begin_unit, int64_t end_unit) {
    const int64_t begin = begin_unit * unit, end = end_unit * unit;
    int64_t first = 0;
    for (const MatmulOutput& o : outputs) {
      const int64_t rows = o.w->rows();
      const int64_t lo = std::max<int64_t>(begin, first);
      const int64_t hi = std::min<int64_t>(end, first + rows);
      if (lo < hi) decode_rows(*o.w, acts, lo - first, hi - first, o.y, o.bias);
      first += rows;
    }
  });
}

void matmul(const Tensor& w, const float* x, int64_t n_tokens, float* y, ThreadPool& pool, const float* bias) {
  if (quant::is_block_type(w.dtype)) return matmul_quantized(w, x, n_tokens, y, pool, bias);
  const int64_t out = w.rows(), in = w.cols();
  const size_t row_bytes = dtype_bytes(w.dtype, static_cast<size_t>(in));
  const auto* base = static_cast<const uint8_t*>(w.data);
  // Token blocks keep the activations being reused within cache while a row is hot.
  constexpr int64_t kTokenBlock = 32;
  pool.parallel_for(static_cast<size_t>(out), [&](size_t begin, size_t end, int) {
    thread_local std::vector<float> row_f32;
    for (int64_t t0 = 0; t0 < n_tokens; t0 += kTokenBlock) {
      const int64_t t1 = std::min(n_tokens, t0 + kTokenBlock);
      for (size_t o = begin; o < end; ++o) {
        const void* row = base + o * row_bytes;
        const float b = bias ? bias[o] : 0.0f;
        if (t1 - t0 == 1) {
          y[t0 * out + o] = dot_row(w.dtype, row, x + t0 * in, in) + b;
          continue;
        }
        const float* wrow;
        if (w.dtype == DType::F32) {
          wrow = static_cast<const float*>(row);
        } else {
          if (row_f32.size() < static_cast<size_t>(in)) row_f32.resize(in);
          row_to_f32(w.dtype, row, row_f32.data(), in);
          wrow = row_f32.data();
        }
        for (int64_t t = t0; t < t1; ++t) y[t * out + o] = dot_f32(wrow, x + t * in, in) + b;
      }
    }
  });
}

void matmul_reference(const Tensor& w, const float* x, int64_t n_tokens, float* y, const float* bias) {
  const int64_t out = w.rows(), in = w.cols();
  std::vector<float> row(in);
  for (int64_t t = 0; t < n_tokens; ++t)
    for (int64_t o = 0; o < out; ++o) {
      matrix_row_to_f32(w, o, row.data());
      double s = 0;
      for (int64_t i = 0; i < in; ++i) s += static_cast<double>(row[i]) * x[t * in + i];
      y[t * out + o] = static_cast<float>(s) + (bias ? bias[o] : 0.0f);
    }
}

}  // namespace slm::kernels
