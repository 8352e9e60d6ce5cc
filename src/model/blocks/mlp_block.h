#pragma once
// The gated MLP: down(act(gate(x)) * up(x)), act = SiLU or GELU-tanh; Gemma 3n layers may first
// sparsify the gate (Gaussian top-k: relu(g - mean(g) - cutoff * std(g)) per token).
#include <vector>

#include "base/thread_pool.h"
#include "formats/weight_store.h"
#include "model/config.h"

namespace slm {

struct MlpScratch {
  std::vector<float> gate, up;  // the activation overwrites gate: no third T x F buffer
};

class MlpBlock {
 public:
  MlpBlock(const WeightStore& w, const ModelConfig& c, int64_t layer);
  void forward(const float* xn, int64_t n_tokens, MlpScratch& s, ThreadPool& pool, float* out) const;

 private:
  const ModelConfig& c_;
  int64_t width_;
  double sparsity_cutoff_;  // Gaussian top-k: keep gate values above mean + cutoff * std (0 = dense)
  const Tensor *w_gate_, *w_up_, *w_down_;
};

}  // namespace slm
