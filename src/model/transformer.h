#pragma once
// The generic decoder: embeddings, N pre-norm layers (a mixer — softmax attention or Gated
// DeltaNet — then a gated MLP, each optionally post-normed), final norm, LM head, soft-cap.
// Family switches in ModelConfig select the variants; the blocks live in model/blocks/.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "base/thread_pool.h"
#include "formats/model_files.h"
#include "model/blocks/attention_block.h"
#include "model/blocks/gated_delta_net.h"
#include "model/blocks/mlp_block.h"
#include "model/kv_cache.h"
#include "model/rope.h"

namespace slm {

// Per-session working memory; grows to the largest batch seen and is then reused.
struct ForwardScratch {
  std::vector<float> x, xn, proj, logits;
  std::vector<float> rope_cos[2], rope_sin[2];  // per RoPE set (global, local): n_tokens x rot_dim/2
  AttentionScratch attention;
  DeltaNetScratch delta_net;
  MlpScratch mlp;
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
    std::unique_ptr<AttentionBlock> attention;      // exactly one of these two
    std::unique_ptr<GatedDeltaNetBlock> delta_net;
    std::unique_ptr<MlpBlock> mlp;
    std::vector<float> attn_norm, ffn_norm, post_attn_norm, post_ffw_norm;
  };

  std::unique_ptr<ModelFiles> files_;
  const Tensor* embed_;
  const Tensor* output_;
  std::vector<float> output_norm_;
  std::vector<Layer> layers_;
  std::vector<RopeFrequencies> rope_;  // [0] global layers, [1] sliding-window layers
};

}  // namespace slm
