#pragma once
// Gated DeltaNet (Qwen3.5 linear-attention layers): a causal depthwise convolution over the
// q|k|v projection, then per value head a [key_dim x value_dim] state updated by the gated
// delta rule, S = exp(g) S + k (beta (v - Sᵀk))ᵀ, read out as o = Sᵀq, RMS-normalised and gated
// by silu(z). One token costs O(1) in the sequence length; the state lives in the KV cache.
#include <span>
#include <vector>

#include "base/thread_pool.h"
#include "formats/weight_store.h"
#include "model/config.h"
#include "model/blocks/segment.h"
#include "model/kv_cache.h"

namespace slm {

struct DeltaNetScratch {
  std::vector<float> qkv, conv_out, z, beta, alpha, o, conv_history;
};

class GatedDeltaNetBlock {
 public:
  GatedDeltaNetBlock(const WeightStore& w, const ModelConfig& c, int64_t layer);
  // out may be xn itself (xn is read only before out is written).
  void forward(const float* xn, int64_t n_rows, std::span<const Segment> segments, DeltaNetScratch& s,
               ThreadPool& pool, float* out) const;

 private:
  // Causal depthwise convolution + SiLU over one segment's rows, carrying its history.
  void convolve(const Segment& g, RecurrentState& state, DeltaNetScratch& s) const;

  const ModelConfig& c_;
  int64_t layer_;
  const Tensor *w_qkv_, *w_z_, *w_beta_, *w_alpha_, *w_out_;
  std::vector<float> conv_w_;   // [channels][kernel]
  std::vector<float> decay_;    // -exp(A_log) per value head
  std::vector<float> dt_bias_;  // per value head
  std::vector<float> norm_w_;   // [value_dim]
};

}  // namespace slm
