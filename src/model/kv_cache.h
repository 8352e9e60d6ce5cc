#pragma once
// Per-layer memory of the positions processed so far: keys and values (f32,
// [kv_head][row][head_dim]: each head's rows are contiguous, so attention streams them) for attention layers, and the recurrent state (convolution
// history + DeltaNet matrix) for linear-attention layers. Recurrent state cannot be cut back
// to an arbitrary position, so it is checkpointed at turn boundaries and restored from there.
// Sliding-window layers keep only a ring of window + chunk rows: the decoder processes at most
// `chunk` tokens per step, so every key a query can see is still in the ring.
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
  static constexpr int64_t kDefaultChunk = 512;
  // ring_chunk 0 keeps every position of every layer (no rings).
  KVCache(const ModelConfig& config, int64_t capacity, int64_t ring_chunk = kDefaultChunk);

  // The most tokens one decoder step may add (0 = unlimited).
  int64_t max_chunk() const { return has_rings() ? chunk_ : 0; }
  int64_t capacity() const { return capacity_; }
  // Rows of the ring for a sliding-window layer, 0 for a layer that keeps every position.
  int64_t ring(int64_t layer) const { return ring_[layer]; }
  bool has_rings() const { return min_ring_slack_ > 0; }
  int64_t size() const { return size_; }  // positions filled
  float* keys(int64_t layer) { return k_[layer].data(); }
  float* values(int64_t layer) { return v_[layer].data(); }
  // Rows per KV head of a layer's keys (and values): the ring, or the capacity.
  int64_t rows(int64_t layer) const { return static_cast<int64_t>(k_[layer].size()) / kv_width_; }
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
  int64_t kv_width_ = 1;  // n_kv_heads * head_dim
  bool has_recurrent_ = false;
  std::vector<std::vector<float>> k_, v_;
  std::vector<int64_t> ring_;
  int64_t chunk_;
  int64_t min_ring_slack_ = 0;  // smallest (ring - window): how far back a rollback may reach
  std::vector<RecurrentState> recurrent_;
  std::vector<Checkpoint> checkpoints_;
};

// Bytes a cache of `positions` positions takes for this model.
size_t kv_cache_bytes(const ModelConfig& config, int64_t positions, int64_t ring_chunk = KVCache::kDefaultChunk);

}  // namespace slm
