#include "model/kv_cache.h"

#include <algorithm>

#include "slm/error.h"

namespace slm {

namespace {

constexpr size_t kMaxCheckpoints = 4;

bool is_attention(const ModelConfig& c, int64_t layer) {
  return c.layer_kinds.empty() || c.layer_kinds[layer] == LayerKind::Attention;
}

// Layers that read another layer's keys and values keep none of their own.
bool owns_kv(const ModelConfig& c, int64_t layer) { return is_attention(c, layer) && c.kv_source(layer) == layer; }

// Rows a layer keeps: every position, or a ring when its window makes that smaller.
int64_t kv_rows(const ModelConfig& c, int64_t layer, int64_t capacity, int64_t chunk) {
  const int64_t window = c.layer_window.empty() ? 0 : c.layer_window[layer];
  return window > 0 && chunk > 0 ? std::min(capacity, window + chunk) : capacity;
}

}  // namespace

KVCache::KVCache(const ModelConfig& c, int64_t capacity, int64_t ring_chunk)
    : capacity_(capacity), k_(c.n_layers), v_(c.n_layers), ring_(c.n_layers, 0), chunk_(ring_chunk),
      recurrent_(c.n_layers) {
  if (capacity <= 0) throw Error("context size must be positive, got " + std::to_string(capacity));
  const int64_t width = c.n_kv_heads * c.head_dim;
  kv_width_ = std::max<int64_t>(1, width);
  const auto& d = c.delta_net;
  for (int64_t l = 0; l < c.n_layers; ++l) {
    if (owns_kv(c, l)) {
      const int64_t rows = kv_rows(c, l, capacity, ring_chunk);
      if (rows < capacity) {
        ring_[l] = rows;
        const int64_t slack = rows - c.layer_window[l];
        min_ring_slack_ = min_ring_slack_ == 0 ? slack : std::min(min_ring_slack_, slack);
      }
      k_[l].resize(static_cast<size_t>(rows * width));
      v_[l].resize(static_cast<size_t>(rows * width));
    } else if (!is_attention(c, l)) {
      has_recurrent_ = true;
      recurrent_[l].conv.assign(static_cast<size_t>((d.conv_kernel - 1) * d.qkv_dim()), 0.0f);
      recurrent_[l].ssm.assign(static_cast<size_t>(d.n_value_heads * d.key_dim * d.value_dim), 0.0f);
    }
  }
}

void KVCache::reset_recurrent() {
  for (auto& r : recurrent_) {
    std::fill(r.conv.begin(), r.conv.end(), 0.0f);
    std::fill(r.ssm.begin(), r.ssm.end(), 0.0f);
  }
}

int64_t KVCache::rollback(int64_t n) {
  n = std::clamp<int64_t>(n, 0, size_);
  if (n == size_) return size_;
  // A ring has overwritten keys older than size - slack: a shorter prefix cannot be restored.
  if (has_rings() && n < size_ - min_ring_slack_) n = 0;
  if (!has_recurrent_) return size_ = n;
  // Attention keys past the restored position are simply overwritten later.
  const Checkpoint* best = nullptr;
  for (const auto& cp : checkpoints_)
    if (cp.position <= n && (!best || cp.position > best->position)) best = &cp;
  if (best) {
    recurrent_ = best->states;
    size_ = best->position;
  } else {
    reset_recurrent();
    size_ = 0;
  }
  std::erase_if(checkpoints_, [&](const Checkpoint& cp) { return cp.position > size_; });
  return size_;
}

void KVCache::checkpoint() {
  if (!has_recurrent_) return;
  std::erase_if(checkpoints_, [&](const Checkpoint& cp) { return cp.position == size_; });
  if (checkpoints_.size() >= kMaxCheckpoints) checkpoints_.erase(checkpoints_.begin());
  checkpoints_.push_back({size_, recurrent_});
}

size_t KVCache::bytes() const {
  size_t n = 0;
  for (size_t l = 0; l < k_.size(); ++l)
    n += (k_[l].size() + v_[l].size() + recurrent_[l].conv.size() + recurrent_[l].ssm.size()) * sizeof(float);
  return n;
}

size_t kv_cache_bytes(const ModelConfig& c, int64_t positions, int64_t ring_chunk) {
  size_t n = 0;
  const auto& d = c.delta_net;
  for (int64_t l = 0; l < c.n_layers; ++l)
    if (owns_kv(c, l))
      n += static_cast<size_t>(2 * kv_rows(c, l, positions, ring_chunk) * c.n_kv_heads * c.head_dim);
    else if (!is_attention(c, l))
      n += static_cast<size_t>((d.conv_kernel - 1) * d.qkv_dim() + d.n_value_heads * d.key_dim * d.value_dim);
  return n * sizeof(float);
}

}  // namespace slm
