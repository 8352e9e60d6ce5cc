#include "kernels/matmul.h"

#include <algorithm>
#include <vector>

#include "kernels/dot.h"
#include "kernels/quant_dot.h"
#include "tensor/quant/quant.h"

namespace slm::kernels {

namespace {

// Block-quantized weights: the activation rows are quantized once, then each thread runs its
// output rows. Prefill tiles rows x tokens: a chunk of tokens whose quantized activations fit in
// L2 is swept by a band of rows small enough to stay in L1, a tile of tokens per kernel call,
// so each weight block is decoded once per tile instead of once per token.
void matmul_quantized(const Tensor& w, const float* x, int64_t n_tokens, float* y, ThreadPool& pool,
                      const float* bias) {
  const int64_t out = w.rows(), in = w.cols();
  const size_t row_bytes = dtype_bytes(w.dtype, static_cast<size_t>(in));
  const size_t act_bytes = act_row_bytes(w.dtype, in);
  // Reused across calls: no allocation per token. (Workers must use the pointer: inside a lambda
  // a thread_local names the running thread's own instance.)
  thread_local std::vector<uint8_t> act_buffer;
  if (act_buffer.size() < act_bytes * n_tokens) act_buffer.resize(act_bytes * n_tokens);
  uint8_t* const acts = act_buffer.data();
  const auto quantize_tokens = [&](size_t begin, size_t end, int) {
    for (size_t t = begin; t < end; ++t) quantize_activations(w.dtype, x + t * in, acts + t * act_bytes, in);
  };
  if (n_tokens >= 8) pool.parallel_for(static_cast<size_t>(n_tokens), quantize_tokens);
  else quantize_tokens(0, static_cast<size_t>(n_tokens), 0);

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
  const size_t row_bytes = dtype_bytes(w.dtype, static_cast<size_t>(in));
  std::vector<float> row(in);
  for (int64_t t = 0; t < n_tokens; ++t)
    for (int64_t o = 0; o < out; ++o) {
      quant::dequantize_row(w.dtype, static_cast<const uint8_t*>(w.data) + o * row_bytes, row.data(), in);
      double s = 0;
      for (int64_t i = 0; i < in; ++i) s += static_cast<double>(row[i]) * x[t * in + i];
      y[t * out + o] = static_cast<float>(s) + (bias ? bias[o] : 0.0f);
    }
}

}  // namespace slm::kernels
