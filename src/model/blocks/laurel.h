#pragma once
// LAuReL (learned augmented residual, Gemma 3n): x + norm(right(left(x))), a low-rank side branch.
#include <vector>

#include "base/thread_pool.h"
#include "formats/weight_store.h"
#include "model/config.h"

namespace slm {

class LaurelBlock {
 public:
  LaurelBlock(const WeightStore& w, const ModelConfig& c, int64_t layer);
  void forward(const float* xn, int64_t n_tokens, std::vector<float>& scratch, ThreadPool& pool, float* out) const;

 private:
  const ModelConfig& c_;
  const Tensor *left_, *right_;
  std::vector<float> post_norm_;
};

}  // namespace slm
