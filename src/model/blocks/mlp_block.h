#pragma once
// The gated MLP: down(act(gate(x)) * up(x)), act = SiLU or GELU-tanh; Gemma 3n layers may first
// sparsify the gate (Gaussian top-k: relu(g - mean(g) - cutoff * std(g)) per token).
#include <vector>

#include "base/thread_pool.h"
#include "formats/weight_store.h"
#include "model/blocks/layer_buffers.h"
#include "model/config.h"

namespace slm {

class MlpBlock {
 public:
  MlpBlock(const WeightStore& w, const ModelConfig& c, int64_t layer);
  // Uses buf.a for the gate (then the activation, in place) and buf.b for up. out may be xn
  // itself (xn is read only before out is written).
  void forward(const float* xn, int64_t n_tokens, LayerBuffers& buf, ThreadPool& pool, float* out) const;

 private:
  const ModelConfig& c_;
  int64_t width_;
  double sparsity_cutoff_;  // Gaussian top-k: keep gate values above mean + cutoff * std (0 = dense)
  const Tensor *w_gate_, *w_up_, *w_down_;
};

}  // namespace slm
