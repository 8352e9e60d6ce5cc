#pragma once
// Per-layer memory of the positions processed so far: keys and values (f32,
// [position][kv_heads*head_dim]) for attention layers, and the recurrent state (convolution
// history + DeltaNet matrix) for linear-attention layers. Recurrent state cannot be cut back
// to an arbitrary position, so it is checkpointed at turn boundaries and restored from there.
#include <cstdint>
#include <vector>

#include "model/config.h"

namespace slm {

struct RecurrentState {
  std::vector<float> conv;  // last conv_kernel-1 inputs of the causal convolution, [k-1][channels]
  std::vector<float> ssm;   // [value_heads][key_dim][value_dim]
};

class KVCache {
 public:
  KVCache(const ModelConfig& config, int64_t capacity);

  int64_t capacity() const { return capacity_; }
  int64_t size() const { return size_; }  // positions filled
  float* keys(int64_t layer) { return k_[layer].data(); }
  float* values(int64_t layer) { return v_[layer].data(); }
  RecurrentState& recurrent(int64_t layer) { return recurrent_[layer]; }
  void advance(int64_t n) { size_ += n; }

  bool has_recurrent_layers() const { return has_recurrent_; }
  // Keeps at most the first n positions; with recurrent layers that means the latest checkpoint
  // at or before n (or nothing). Returns the number of positions kept.
  int64_t rollback(int64_t n);
  // Remembers the recurrent state at the current position (a no-op without recurrent layers).
  void checkpoint();

  size_t bytes() const;

 private:
  struct Checkpoint {
    int64_t position;
    std::vector<RecurrentState> states;
  };
  void reset_recurrent();

  int64_t capacity_, size_ = 0;
  bool has_recurrent_ = false;
  std::vector<std::vector<float>> k_, v_;
  std::vector<RecurrentState> recurrent_;
  std::vector<Checkpoint> checkpoints_;
};

// Bytes a cache of `positions` positions takes for this model.
size_t kv_cache_bytes(const ModelConfig& config, int64_t positions);

}  // namespace slm
