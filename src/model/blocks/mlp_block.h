#pragma once
// The gated MLP: down(act(gate(x)) * up(x)), act = SiLU or GELU-tanh.
#include <vector>

#include "base/thread_pool.h"
#include "formats/weight_store.h"
#include "model/config.h"

namespace slm {

struct MlpScratch {
  std::vector<float> gate, up, hidden;
};

class MlpBlock {
 public:
  MlpBlock(const WeightStore& w, const ModelConfig& c, int64_t layer);
  void forward(const float* xn, int64_t n_tokens, MlpScratch& s, ThreadPool& pool, float* out) const;

 private:
  const ModelConfig& c_;
  const Tensor *w_gate_, *w_up_, *w_down_;
};

}  // namespace slm
