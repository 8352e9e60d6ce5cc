#pragma once
// AltUp (Gemma 3n): the residual is widened to n parallel streams. Each layer predicts every
// stream from all of them (coefficients routed by the active stream), computes on the active
// one, then corrects every stream with the innovation. Streams are laid out [n][tokens][hidden].
#include <vector>

#include "base/thread_pool.h"
#include "formats/weight_store.h"
#include "model/config.h"

namespace slm {

struct AltUpScratch {
  std::vector<float> normed, modalities, coefs;
};

// Per layer: router, prediction and correction coefficients.
class AltUpLayer {
 public:
  AltUpLayer(const WeightStore& w, const ModelConfig& c, int64_t layer);
  // pred_j = x_j + sum_k C[j][k] x_k, C routed per token by the active stream.
  void predict(const float* streams, int64_t n_tokens, float* predictions, AltUpScratch& s, ThreadPool& pool) const;
  // corrected_j = pred_j + (activated - pred_active) * (coef_j + 1), routed by `activated`.
  void correct(const float* predictions, const float* activated, int64_t n_tokens, float* corrected, AltUpScratch& s,
               ThreadPool& pool) const;
  const std::vector<float>& output_scale() const { return correct_output_scale_; }

 private:
  // tanh(router(router_norm(x) / hidden)): n_streams values per token into s.modalities.
  void route(const float* x, int64_t n_tokens, AltUpScratch& s, ThreadPool& pool) const;

  const ModelConfig& c_;
  const Tensor *router_, *predict_, *correct_;
  std::vector<float> router_norm_, correct_output_scale_;
};

// Model level: widening the embedding into streams and merging them back.
class AltUpStreams {
 public:
  AltUpStreams(const WeightStore& w, const ModelConfig& c);
  // streams[0] = x0; streams[n] = proj_n(x0) rescaled to x0's RMS magnitude.
  void expand(const float* x0, int64_t n_tokens, float* streams, ThreadPool& pool) const;
  // The mean of stream 0 and unembed_n(stream n) rescaled to stream 0's magnitude.
  void merge(const float* streams, int64_t n_tokens, float* out, std::vector<float>& scratch, ThreadPool& pool) const;

 private:
  const ModelConfig& c_;
  std::vector<const Tensor*> project_, unembed_;
};

}  // namespace slm
