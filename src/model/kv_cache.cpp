#include "model/kv_cache.h"

#include <algorithm>
#include <string>

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

// Bytes of one key or value element; the cache holds f16 or f32 only.
size_t element_bytes(DType t) {
  if (t != DType::F16 && t != DType::F32) throw Error(std::string("KV cache type must be f16 or f32, not ") + dtype_name(t));
  return dtype_bytes(t, 1);
}

}  // namespace

DType parse_kv_cache_type(const std::string& name) {
  if (name == "f16" || name == "F16") return DType::F16;
  if (name == "f32" || name == "F32") return DType::F32;
  throw Error("--kv-type: unknown KV cache type '" + name + "' (f16 or f32)");
}

KVCache::KVCache(const ModelConfig& c, int64_t capacity, const KVCacheOptions& options)
    : capacity_(capacity), dtype_(options.dtype), k_offset_(c.n_layers, 0), v_offset_(c.n_layers, 0),
      rows_(c.n_layers, 0), ring_(c.n_layers, 0), chunk_(options.ring_chunk), recurrent_(c.n_layers) {
  if (capacity <= 0) throw Error("context size must be positive, got " + std::to_string(capacity));
  const size_t head_bytes = static_cast<size_t>(c.head_dim) * element_bytes(dtype_);
  // Each head's rows start on a cache line (head_dim * 2 bytes is a multiple of 64 for usual sizes).
  auto align = [](size_t n) { return (n + 63) / 64 * 64; };
  size_t total = 0;
  const auto& d = c.delta_net;
  for (int64_t l = 0; l < c.n_layers; ++l) {
    if (owns_kv(c, l)) {
      const int64_t rows = kv_rows(c, l, capacity, chunk_);
      if (rows < capacity) {
        ring_[l] = rows;
        const int64_t slack = rows - c.layer_window[l];
        min_ring_slack_ = min_ring_slack_ == 0 ? slack : std::min(min_ring_slack_, slack);
      }
      rows_[l] = rows;
      const size_t bytes = align(static_cast<size_t>(c.n_kv_heads * rows) * head_bytes);
      k_offset_[l] = total;
      v_offset_[l] = total + bytes;
      total += 2 * bytes;
    } else if (!is_attention(c, l)) {
      has_recurrent_ = true;
      recurrent_[l].conv.assign(static_cast<size_t>((d.conv_kernel - 1) * d.qkv_dim()), 0.0f);
      recurrent_[l].ssm.assign(static_cast<size_t>(d.n_value_heads * d.key_dim * d.value_dim), 0.0f);
    }
  }
  data_.resize(total);
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
  size_t n = data_.size();
  for (const auto& r : recurrent_) n += (r.conv.size() + r.ssm.size()) * sizeof(float);
  return n;
}

size_t kv_cache_bytes(const ModelConfig& c, int64_t positions, const KVCacheOptions& options) {
  size_t n = 0;
  const size_t element = element_bytes(options.dtype);
  const auto& d = c.delta_net;
  for (int64_t l = 0; l < c.n_layers; ++l)
    if (owns_kv(c, l))
      n += static_cast<size_t>(2 * kv_rows(c, l, positions, options.ring_chunk) * c.n_kv_heads * c.head_dim) * element;
    else if (!is_attention(c, l))
      n += static_cast<size_t>((d.conv_kernel - 1) * d.qkv_dim() + d.n_value_heads * d.key_dim * d.value_dim) *
           sizeof(float);
  return n;
}

}  // namespace slm
