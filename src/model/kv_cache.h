#pragma once
// Keys and values of every layer for the positions processed so far (f32, [position][kv_heads*head_dim]).
#include <cstdint>
#include <vector>

#include "model/config.h"

namespace slm {

class KVCache {
 public:
  KVCache(const ModelConfig& config, int64_t capacity);

  int64_t capacity() const { return capacity_; }
  int64_t size() const { return size_; }  // positions filled
  int64_t row_width() const { return width_; }
  float* keys(int64_t layer) { return k_[layer].data(); }
  float* values(int64_t layer) { return v_[layer].data(); }
  // Forget positions >= n (to reuse a shared prefix or roll back).
  void truncate(int64_t n);
  void advance(int64_t n) { size_ += n; }
  size_t bytes() const;

 private:
  int64_t capacity_, width_, size_ = 0;
  std::vector<std::vector<float>> k_, v_;
};

// Bytes a cache of `positions` positions takes for this model.
size_t kv_cache_bytes(const ModelConfig& config, int64_t positions);

}  // namespace slm
