#pragma once
// The generic decoder: embeddings, N pre-norm blocks (attention + gated MLP), final norm, LM head.
// Family switches in ModelConfig (biases, q/k norm, NoPE layers, RoPE scaling) select the variants.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "base/thread_pool.h"
#include "formats/model_files.h"
#include "model/kv_cache.h"
#include "model/rope.h"

namespace slm {

// Per-session working memory; grows to the largest batch seen and is then reused.
struct ForwardScratch {
  std::vector<float> x, xn, q, k, v, attn, proj, gate, up, hidden, scores, logits;
  std::vector<float> rope_cos[2], rope_sin[2];  // per RoPE set (global, local), n_tokens x rot_dim/2
};

class Transformer {
 public:
  // Takes the opened files; checks every tensor the family needs against its expected shape.
  explicit Transformer(std::unique_ptr<ModelFiles> files);

  const ModelConfig& config() const { return files_->config; }
  const ModelFiles& files() const { return *files_; }

  // Runs `tokens` at positions cache.size() .. and appends them to the cache. Writes the
  // next-token logits of every token (all_logits) or of the last one to scratch.logits.
  void forward(std::span<const int32_t> tokens, KVCache& cache, ForwardScratch& scratch, ThreadPool& pool,
               bool all_logits) const;

 private:
  struct Layer {
    const Tensor *wq, *wk, *wv, *wo, *w_gate, *w_up, *w_down;
    std::vector<float> attn_norm, ffn_norm, post_attn_norm, post_ffw_norm, q_norm, k_norm, bq, bk, bv, bo;
    bool rope;
    int rope_set;        // index into rope_ (0 global, 1 local)
    int64_t window;      // sliding window, 0 = full attention
  };

  std::unique_ptr<ModelFiles> files_;
  const Tensor* embed_;
  const Tensor* output_;
  std::vector<float> output_norm_;
  std::vector<Layer> layers_;
  std::vector<RopeFrequencies> rope_;
};

}  // namespace slm
