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
#include "model/blocks/altup.h"
#include "model/blocks/attention_block.h"
#include "model/blocks/gated_delta_net.h"
#include "model/blocks/laurel.h"
#include "model/blocks/mlp_block.h"
#include "model/blocks/per_layer_embedding.h"
#include "model/kv_cache.h"
#include "model/rope.h"

namespace slm {

// Per-session working memory; grows to the largest batch seen and is then reused.
struct ForwardScratch {
  std::vector<float> x, xn, logits;
  std::vector<float> proj;  // AltUp layers' block outputs (the plain decoder writes them into xn)
  std::vector<int32_t> tokens;    // the step's tokens, all segments
  std::vector<Segment> segments;
  std::vector<int64_t> logit_rows;
  std::vector<float> rope_cos[2], rope_sin[2];  // per RoPE set (global, local): n_tokens x rot_dim/2
  AttentionScratch attention;
  LayerBuffers layer;  // attention's and the MLP's large buffers, used in turn
  DeltaNetScratch delta_net;
  // AltUp path (Gemma 3n)
  std::vector<float> streams, predictions, laurel, laurel_rank, per_layer_inputs, per_layer_gate, first;
  AltUpScratch altup;
};

// One sequence's part of a batched decoder step.
struct BatchItem {
  std::span<const int32_t> tokens;  // at positions cache->size() ..
  KVCache* cache;                   // this sequence's own cache
  bool all_logits = false;          // logits of every token, or of the last one only
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

  // Several sequences in one step: their tokens share every matrix product, attention and
  // recurrent state stay per sequence. Logits rows of each item (all, or its last) are written
  // to scratch.logits one item after the other, in item order.
  void forward_batch(std::span<const BatchItem> items, ForwardScratch& scratch, ThreadPool& pool) const;

 private:
  struct Layer {
    std::unique_ptr<AttentionBlock> attention;      // exactly one of these two
    std::unique_ptr<GatedDeltaNetBlock> delta_net;
    std::unique_ptr<MlpBlock> mlp;
    std::vector<float> attn_norm, ffn_norm, post_attn_norm, post_ffw_norm;
    // Gemma 3n only
    std::unique_ptr<AltUpLayer> altup;
    std::unique_ptr<LaurelBlock> laurel;
    std::unique_ptr<PerLayerInputBlock> per_layer_input;
  };

  // One decoder step; every item fits its cache's chunk limit.
  void forward_step(std::span<const BatchItem> items, ForwardScratch& s, ThreadPool& pool) const;
  // The mixer (attention or DeltaNet) of one layer on normalised rows, into `out`.
  void mix(const Layer& L, const float* xn, int64_t n_rows, std::span<const Segment> segments, ForwardScratch& s,
           ThreadPool& pool, float* out) const;
  // Pre-norm residual layers over s.x.
  void run_layers(int64_t n_rows, std::span<const Segment> segments, ForwardScratch& s, ThreadPool& pool) const;
  // Gemma 3n: AltUp streams, LAuReL and per-layer inputs around the same mixer and MLP; leaves
  // the merged streams in s.x.
  void run_altup_layers(std::span<const int32_t> tokens, std::span<const Segment> segments, ForwardScratch& s,
                        ThreadPool& pool) const;

  std::unique_ptr<ModelFiles> files_;
  const Tensor* embed_;
  const Tensor* output_;
  std::vector<float> output_norm_;
  std::vector<Layer> layers_;
  std::vector<RopeFrequencies> rope_;  // [0] global layers, [1] sliding-window layers
  std::unique_ptr<AltUpStreams> altup_streams_;
  std::unique_ptr<PerLayerEmbedding> per_layer_embedding_;
};

}  // namespace slm
