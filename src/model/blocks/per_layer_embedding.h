#pragma once
// Per-layer embeddings (Gemma 3n): every layer receives its own small input per token, made from
// a big token table (which may stay memory-mapped) plus a projection of the main embedding; the
// layer gates it with its active stream and adds the projected result to the other streams.
#include <span>
#include <vector>

#include "base/thread_pool.h"
#include "formats/weight_store.h"
#include "model/config.h"

namespace slm {

class PerLayerEmbedding {
 public:
  PerLayerEmbedding(const WeightStore& w, const ModelConfig& c);
  // out: [tokens][per_layer_layers][per_layer_dim] = (norm(proj(x0) / sqrt(hidden)) + table[id] * sqrt(dim)) / sqrt(2)
  void compute(std::span<const int32_t> tokens, const float* x0, float* out, ThreadPool& pool) const;

 private:
  const ModelConfig& c_;
  const Tensor *table_, *projection_;
  std::vector<float> projection_norm_;
};

class PerLayerInputBlock {
 public:
  PerLayerInputBlock(const WeightStore& w, const ModelConfig& c, int64_t layer);
  // out = norm(proj(gelu(gate(x)) * layer_input)); layer_input rows are `input_stride` apart.
  void forward(const float* x, const float* layer_input, int64_t input_stride, int64_t n_tokens,
               std::vector<float>& scratch, ThreadPool& pool, float* out) const;

 private:
  const ModelConfig& c_;
  const Tensor *gate_, *projection_;
  std::vector<float> post_norm_;
};

}  // namespace slm
