#pragma once
// Per-layer memory of the positions processed so far: keys and values for attention layers, and
// the recurrent state (convolution history + DeltaNet matrix) for linear-attention layers.
// Keys and values are stored [kv_head][row][head_dim], so attention streams each head's rows,
// as f32 or f16: decoding reads the whole cache once per token, and f16 halves both that traffic
// and the memory of a long context (the engine's default; f32 is exact, for parity checks).
// All layers share one huge-page allocation. Recurrent state cannot be cut back
// to an arbitrary position, so it is checkpointed at turn boundaries and restored from there.
// Sliding-window layers keep only a ring of window + chunk rows: the decoder processes at most
// `chunk` tokens per step, so every key a query can see is still in the ring.
#include <cstdint>
#include <string>
#include <vector>

#include "base/huge_page_allocator.h"
#include "model/config.h"
#include "tensor/dtype.h"

namespace slm {

struct RecurrentState {
  std::vector<float> conv;  // last conv_kernel-1 inputs of the causal convolution, [k-1][channels]
  std::vector<float> ssm;   // [value_heads][key_dim][value_dim]
};

struct KVCacheOptions {
  static constexpr int64_t kDefaultChunk = 512;
  DType dtype = DType::F32;  // of keys and values: F32 or F16
  // The most tokens one decoder step may add to a sliding-window layer's ring; 0 keeps every
  // position of every layer (no rings).
  int64_t ring_chunk = kDefaultChunk;
};

// "f16" / "f32" (as on the command line) -> DType; throws slm::Error naming the accepted values.
DType parse_kv_cache_type(const std::string& name);

class KVCache {
 public:
  static constexpr int64_t kDefaultChunk = KVCacheOptions::kDefaultChunk;
  KVCache(const ModelConfig& config, int64_t capacity, const KVCacheOptions& options = {});

  // The most tokens one decoder step may add (0 = unlimited).
  int64_t max_chunk() const { return has_rings() ? chunk_ : 0; }
  int64_t capacity() const { return capacity_; }
  // Rows of the ring for a sliding-window layer, 0 for a layer that keeps every position.
  int64_t ring(int64_t layer) const { return ring_[layer]; }
  bool has_rings() const { return min_ring_slack_ > 0; }
  int64_t size() const { return size_; }  // positions filled
  DType dtype() const { return dtype_; }
  // A layer's keys / values: rows(layer) rows of head_dim elements of dtype() per KV head.
  uint8_t* keys(int64_t layer) { return data_.data() + k_offset_[layer]; }
  uint8_t* values(int64_t layer) { return data_.data() + v_offset_[layer]; }
  // Rows per KV head of a layer's keys (and values): the ring, or the capacity.
  int64_t rows(int64_t layer) const { return rows_[layer]; }
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
  DType dtype_;
  bool has_recurrent_ = false;
  std::vector<uint8_t, HugePageAllocator<uint8_t>> data_;  // every layer's keys and values
  std::vector<size_t> k_offset_, v_offset_;
  std::vector<int64_t> rows_;  // per KV head and layer (0: the layer keeps none)
  std::vector<int64_t> ring_;
  int64_t chunk_;
  int64_t min_ring_slack_ = 0;  // smallest (ring - window): how far back a rollback may reach
  std::vector<RecurrentState> recurrent_;
  std::vector<Checkpoint> checkpoints_;
};

// Bytes a cache of `positions` positions takes for this model.
size_t kv_cache_bytes(const ModelConfig& config, int64_t positions, const KVCacheOptions& options = {});

}  // namespace slm
