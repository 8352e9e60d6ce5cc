#pragma once
// Softmax self-attention over the KV cache: projections (+biases), optional per-head q/k RMSNorm,
// (partial) RoPE, sliding window, GQA, optional sigmoid output gate (Qwen3.5), output projection.
#include <cstdint>
#include <span>
#include <vector>

#include "base/thread_pool.h"
#include "formats/weight_store.h"
#include "model/config.h"
#include "model/blocks/layer_buffers.h"
#include "model/blocks/segment.h"
#include "model/kv_cache.h"

namespace slm {

// cos/sin of each row's position for one RoPE frequency set: n_rows x rot_dim/2.
struct RopeTables {
  const float* cos;
  const float* sin;
};

struct AttentionScratch {
  std::vector<float> q_full, gate, scores;  // queries and output are in LayerBuffers
};

class AttentionBlock {
 public:
  AttentionBlock(const WeightStore& w, const ModelConfig& c, int64_t layer);

  int rope_set() const { return rope_set_; }
  // xn: n_rows normalised rows (hidden) covering every segment; out: n_rows rows (hidden), which
  // may be xn itself (xn is read only before out is written).
  // buf.a holds the queries, buf.b K and V until they are cached, then the attention output.
  void forward(const float* xn, int64_t n_rows, std::span<const Segment> segments, const RopeTables& rope,
               AttentionScratch& s, LayerBuffers& buf, ThreadPool& pool, float* out) const;

 private:
  const ModelConfig& c_;
  int64_t layer_;
  const Tensor *wq_, *wk_, *wv_, *wo_;
  std::vector<float> q_norm_, k_norm_, bq_, bk_, bv_, bo_;
  bool rope_;
  int rope_set_;     // 0: global frequencies, 1: local (sliding-window) ones
  int64_t window_;   // 0 = full attention
  int64_t kv_layer_; // the layer whose keys/values this one attends to (itself unless shared)
};

}  // namespace slm
