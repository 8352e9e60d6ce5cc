#include "model/blocks/attention_block.h"

#include <algorithm>
#include <cmath>

#include "base/parallel_rows.h"
#include "kernels/attention.h"
#include "kernels/dot.h"
#include "kernels/matmul.h"
#include "kernels/norm.h"
#include "kernels/rope.h"
#include "model/blocks/weights_util.h"

namespace slm {

namespace {
// Writes n floats as cache elements starting at element `index` of the cache buffer.
void store_cache_row(DType type, const float* src, uint8_t* cache, int64_t index, int64_t n) {
  if (type == DType::F16) kernels::dot_best().f32_to_f16(src, reinterpret_cast<uint16_t*>(cache) + index, n);
  else std::copy_n(src, n, reinterpret_cast<float*>(cache) + index);
}
}  // namespace

AttentionBlock::AttentionBlock(const WeightStore& w, const ModelConfig& c, int64_t layer) : c_(c), layer_(layer) {
  const int64_t H = c.hidden_size, D = c.head_dim;
  const int64_t q_dim = c.n_heads * D, kv_dim = c.n_kv_heads * D;
  const std::string p = c.layer_prefix(layer);
  const double off = c.norm_weight_offset;
  wq_ = &w.get(p + "attn_q.weight", {c.attn_output_gate ? 2 * q_dim : q_dim, H});
  wk_ = &w.get(p + "attn_k.weight", {kv_dim, H});
  wv_ = &w.get(p + "attn_v.weight", {kv_dim, H});
  wo_ = &w.get(p + "attn_output.weight", {H, q_dim});
  if (c.qk_norm) {
    q_norm_ = load_vector_f32(w, p + "attn_q_norm.weight", D, off);
    k_norm_ = load_vector_f32(w, p + "attn_k_norm.weight", D, off);
  }
  if (c.qkv_bias) {
    bq_ = load_vector_f32(w, p + "attn_q.bias", q_dim);
    bk_ = load_vector_f32(w, p + "attn_k.bias", kv_dim);
    bv_ = load_vector_f32(w, p + "attn_v.bias", kv_dim);
  }
  bo_ = load_optional_vector_f32(w, p + "attn_output.bias", H);
  kv_layer_ = c.kv_source(layer);
  rope_ = c.layer_uses_rope[layer];
  window_ = c.layer_window[layer];
  rope_set_ = window_ > 0 && c.rope_theta_local > 0 ? 1 : 0;
}

void AttentionBlock::forward(const float* xn, int64_t T, std::span<const Segment> segments, const RopeTables& rope,
                             AttentionScratch& s, LayerBuffers& buf, ThreadPool& pool, float* out) const {
  const ModelConfig& c = c_;
  const int64_t D = c.head_dim, q_dim = c.n_heads * D, kv_dim = c.n_kv_heads * D;
  const int64_t rot_dim = c.rotary_dim(), half = rot_dim / 2;
  grow(buf.a, T * q_dim);
  // K and V wait in the attention output buffer: every segment's go into its cache before
  // attention writes that buffer, so a prefill needs no separate T x 2 x kv_dim scratch.
  grow(buf.b, T * std::max(q_dim, 2 * kv_dim));
  float* const q = buf.a.data();
  float* const attn = buf.b.data();
  float* const k = attn;
  float* const v = k + T * kv_dim;

  // Queries, keys and values in one pass (a layer sharing an earlier layer's K/V computes only
  // queries).
  const bool own_kv = kv_layer_ == layer_;
  if (c.attn_output_gate) {
    grow(s.q_full, T * 2 * q_dim);
    grow(s.gate, T * q_dim);
  }
  const kernels::MatmulOutput projections[3] = {
      {wq_, c.attn_output_gate ? s.q_full.data() : q, c.attn_output_gate ? nullptr : data_or_null(bq_)},
      {wk_, k, data_or_null(bk_)},
      {wv_, v, data_or_null(bv_)}};
  kernels::matmul_group(std::span(projections, own_kv ? 3 : 1), xn, T, pool);
  if (c.attn_output_gate) {
    // Each head's block of q_proj rows is [query (D) | gate (D)].
    for (int64_t t = 0; t < T; ++t)
      for (int64_t h = 0; h < c.n_heads; ++h) {
        const float* src = s.q_full.data() + t * 2 * q_dim + h * 2 * D;
        std::copy(src, src + D, q + t * q_dim + h * D);
        std::copy(src + D, src + 2 * D, s.gate.data() + t * q_dim + h * D);
      }
  }
  // Per-head norm and rotary embedding of a range of token rows (queries or keys).
  const auto norm_and_rotate = [&](float* rows, int64_t heads, const std::vector<float>& norm) {
    const int64_t width = heads * D;
    for_row_ranges(pool, T, [&](int64_t b, int64_t e) {
      float* first = rows + b * width;
      if (!norm.empty()) kernels::rms_norm(first, norm.data(), first, (e - b) * heads, D, c.norm_eps);
      if (rope_)
        for (int64_t t = b; t < e; ++t)
          kernels::rope_rotate_half(rows + t * width, heads, D, rot_dim, rope.cos + t * half, rope.sin + t * half);
    });
  };
  norm_and_rotate(q, c.n_heads, q_norm_);

  if (own_kv) {
    norm_and_rotate(k, c.n_kv_heads, k_norm_);
    if (c.v_norm) kernels::rms_norm(v, nullptr, v, T * c.n_kv_heads, D, c.norm_eps);
    for (const Segment& g : segments) {
      KVCache& cache = *g.cache;
      uint8_t* kc = cache.keys(kv_layer_);
      uint8_t* vc = cache.values(kv_layer_);
      const int64_t ring = cache.ring(kv_layer_);
      const int64_t head_stride = cache.rows(kv_layer_) * D;  // the cache is [kv_head][row][head_dim]
      for (int64_t t = 0; t < g.count; ++t) {
        const int64_t row = ring ? (g.pos0 + t) % ring : g.pos0 + t;
        const int64_t src = (g.offset + t) * kv_dim;
        for (int64_t h = 0; h < c.n_kv_heads; ++h) {
          const int64_t dst = h * head_stride + row * D;
          store_cache_row(cache.dtype(), k + src + h * D, kc, dst, D);
          store_cache_row(cache.dtype(), v + src + h * D, vc, dst, D);
        }
      }
    }
  }
  const float scale = static_cast<float>(c.attention_scale > 0 ? c.attention_scale : 1.0 / std::sqrt(D));
  for (const Segment& g : segments) {
    KVCache& cache = *g.cache;
    uint8_t* kc = cache.keys(kv_layer_);
    uint8_t* vc = cache.values(kv_layer_);
    const int64_t ring = cache.ring(kv_layer_);
    const int64_t head_stride = cache.rows(kv_layer_) * D;
    kernels::AttentionShape shape{c.n_heads, c.n_kv_heads, D, D, scale, window_, ring, head_stride};
    shape.kv_type = cache.dtype();
    grow(s.scores, kernels::attention_scratch_floats(g.count, g.pos0, shape, pool.size()));
    kernels::attention(q + g.offset * q_dim, kc, vc, attn + g.offset * q_dim, g.count, g.pos0,
                       shape, s.scores.data(), pool);
  }
  if (c.attn_output_gate)
    for (int64_t i = 0; i < T * q_dim; ++i) attn[i] *= 1.0f / (1.0f + std::exp(-s.gate[i]));
  kernels::matmul(*wo_, attn, T, out, pool, data_or_null(bo_));
}

}  // namespace slm
