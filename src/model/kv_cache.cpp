#include "model/kv_cache.h"

#include "slm/error.h"

namespace slm {

KVCache::KVCache(const ModelConfig& c, int64_t capacity)
    : capacity_(capacity), width_(c.n_kv_heads * c.head_dim), k_(c.n_layers), v_(c.n_layers) {
  if (capacity <= 0) throw Error("context size must be positive, got " + std::to_string(capacity));
  for (int64_t l = 0; l < c.n_layers; ++l) {
    k_[l].resize(static_cast<size_t>(capacity * width_));
    v_[l].resize(static_cast<size_t>(capacity * width_));
  }
}

void KVCache::truncate(int64_t n) {
  if (n < size_) size_ = n < 0 ? 0 : n;
}

size_t KVCache::bytes() const { return static_cast<size_t>(2 * k_.size() * capacity_ * width_) * sizeof(float); }

size_t kv_cache_bytes(const ModelConfig& c, int64_t positions) {
  return static_cast<size_t>(2 * c.n_layers * positions * c.n_kv_heads * c.head_dim) * sizeof(float);
}

}  // namespace slm
