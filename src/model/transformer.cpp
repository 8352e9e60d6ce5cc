#include "model/transformer.h"

#include <cmath>

#include "kernels/activation.h"
#include "kernels/attention.h"
#include "kernels/dot.h"
#include "kernels/matmul.h"
#include "kernels/norm.h"
#include "kernels/rope.h"
#include "slm/error.h"

namespace slm {

namespace {

// Small vectors (norm weights, biases) are widened to f32 once at load.
std::vector<float> vector_f32(const WeightStore& w, const std::string& name, int64_t n) {
  const Tensor& t = w.get(name, {n});
  std::vector<float> out(n);
  kernels::row_to_f32(t.dtype, t.data, out.data(), n);
  return out;
}

std::vector<float> optional_vector_f32(const WeightStore& w, const std::string& name, int64_t n) {
  return w.has(name) ? vector_f32(w, name, n) : std::vector<float>();
}

void grow(std::vector<float>& v, size_t n) {
  if (v.size() < n) v.resize(n);
}

}  // namespace

Transformer::Transformer(std::unique_ptr<ModelFiles> files) : files_(std::move(files)) {
  const ModelConfig& c = files_->config;
  const WeightStore& w = files_->weights;
  const int64_t H = c.hidden_size, F = c.intermediate_size, D = c.head_dim;
  const int64_t q_dim = c.n_heads * D, kv_dim = c.n_kv_heads * D;

  embed_ = &w.get("token_embd.weight", {c.vocab_size, H});
  if (c.tied_embeddings || !w.has("output.weight")) {
    if (!c.tied_embeddings) throw Error(w.source + ": missing tensor output.weight (lm_head.weight)");
    output_ = embed_;
  } else {
    output_ = &w.get("output.weight", {c.vocab_size, H});
  }
  output_norm_ = vector_f32(w, "output_norm.weight", H);

  for (int64_t l = 0; l < c.n_layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    Layer L;
    L.wq = &w.get(p + "attn_q.weight", {q_dim, H});
    L.wk = &w.get(p + "attn_k.weight", {kv_dim, H});
    L.wv = &w.get(p + "attn_v.weight", {kv_dim, H});
    L.wo = &w.get(p + "attn_output.weight", {H, q_dim});
    L.w_gate = &w.get(p + "ffn_gate.weight", {F, H});
    L.w_up = &w.get(p + "ffn_up.weight", {F, H});
    L.w_down = &w.get(p + "ffn_down.weight", {H, F});
    L.attn_norm = vector_f32(w, p + "attn_norm.weight", H);
    L.ffn_norm = vector_f32(w, p + "ffn_norm.weight", H);
    if (c.qk_norm) {
      L.q_norm = vector_f32(w, p + "attn_q_norm.weight", D);
      L.k_norm = vector_f32(w, p + "attn_k_norm.weight", D);
    }
    if (c.qkv_bias) {
      L.bq = vector_f32(w, p + "attn_q.bias", q_dim);
      L.bk = vector_f32(w, p + "attn_k.bias", kv_dim);
      L.bv = vector_f32(w, p + "attn_v.bias", kv_dim);
    }
    L.bo = optional_vector_f32(w, p + "attn_output.bias", H);
    L.rope = c.layer_uses_rope[l];
    layers_.push_back(std::move(L));
  }
  rope_ = compute_rope_frequencies(c);
}

void Transformer::forward(std::span<const int32_t> tokens, KVCache& cache, ForwardScratch& s, ThreadPool& pool,
                          bool all_logits) const {
  const ModelConfig& c = config();
  const int64_t T = static_cast<int64_t>(tokens.size());
  if (T == 0) return;
  const int64_t pos0 = cache.size();
  if (pos0 + T > cache.capacity())
    throw Error("context full: " + std::to_string(pos0 + T) + " positions needed, the context holds " +
                std::to_string(cache.capacity()));
  const int64_t H = c.hidden_size, F = c.intermediate_size, D = c.head_dim;
  const int64_t q_dim = c.n_heads * D, kv_dim = c.n_kv_heads * D, half = rope_.rot_dim / 2;

  grow(s.x, T * H);
  grow(s.xn, T * H);
  grow(s.q, T * q_dim);
  grow(s.k, T * kv_dim);
  grow(s.v, T * kv_dim);
  grow(s.attn, T * q_dim);
  grow(s.proj, T * H);
  grow(s.gate, T * F);
  grow(s.up, T * F);
  grow(s.hidden, T * F);
  grow(s.scores, pool.size() * (pos0 + T));
  grow(s.rope_cos, T * half);
  grow(s.rope_sin, T * half);

  const size_t embed_row_bytes = dtype_bytes(embed_->dtype, H);
  for (int64_t t = 0; t < T; ++t) {
    const int32_t id = tokens[t];
    if (id < 0 || id >= c.vocab_size)
      throw Error("token id " + std::to_string(id) + " is outside the vocabulary (0.." +
                  std::to_string(c.vocab_size - 1) + ")");
    kernels::row_to_f32(embed_->dtype, static_cast<const uint8_t*>(embed_->data) + id * embed_row_bytes,
                        s.x.data() + t * H, H);
    kernels::rope_tables(static_cast<double>(pos0 + t), rope_.inv_freq.data(), half, rope_.mscale,
                         s.rope_cos.data() + t * half, s.rope_sin.data() + t * half);
  }

  const kernels::AttentionShape shape{c.n_heads, c.n_kv_heads, D, kv_dim, static_cast<float>(1.0 / std::sqrt(D))};
  for (size_t l = 0; l < layers_.size(); ++l) {
    const Layer& L = layers_[l];
    // Attention block.
    kernels::rms_norm(s.x.data(), L.attn_norm.data(), s.xn.data(), T, H, c.norm_eps);
    kernels::matmul(*L.wq, s.xn.data(), T, s.q.data(), pool, L.bq.empty() ? nullptr : L.bq.data());
    kernels::matmul(*L.wk, s.xn.data(), T, s.k.data(), pool, L.bk.empty() ? nullptr : L.bk.data());
    kernels::matmul(*L.wv, s.xn.data(), T, s.v.data(), pool, L.bv.empty() ? nullptr : L.bv.data());
    if (!L.q_norm.empty()) {
      kernels::rms_norm(s.q.data(), L.q_norm.data(), s.q.data(), T * c.n_heads, D, c.norm_eps);
      kernels::rms_norm(s.k.data(), L.k_norm.data(), s.k.data(), T * c.n_kv_heads, D, c.norm_eps);
    }
    if (L.rope)
      for (int64_t t = 0; t < T; ++t) {
        const float* cs = s.rope_cos.data() + t * half;
        const float* sn = s.rope_sin.data() + t * half;
        kernels::rope_rotate_half(s.q.data() + t * q_dim, c.n_heads, D, rope_.rot_dim, cs, sn);
        kernels::rope_rotate_half(s.k.data() + t * kv_dim, c.n_kv_heads, D, rope_.rot_dim, cs, sn);
      }
    float* kc = cache.keys(l);
    float* vc = cache.values(l);
    std::copy(s.k.begin(), s.k.begin() + T * kv_dim, kc + pos0 * kv_dim);
    std::copy(s.v.begin(), s.v.begin() + T * kv_dim, vc + pos0 * kv_dim);
    kernels::attention(s.q.data(), kc, vc, s.attn.data(), T, pos0, shape, s.scores.data(), pool);
    kernels::matmul(*L.wo, s.attn.data(), T, s.proj.data(), pool, L.bo.empty() ? nullptr : L.bo.data());
    for (int64_t i = 0; i < T * H; ++i) s.x[i] += s.proj[i];

    // MLP block.
    kernels::rms_norm(s.x.data(), L.ffn_norm.data(), s.xn.data(), T, H, c.norm_eps);
    kernels::matmul(*L.w_gate, s.xn.data(), T, s.gate.data(), pool);
    kernels::matmul(*L.w_up, s.xn.data(), T, s.up.data(), pool);
    kernels::silu_mul(s.gate.data(), s.up.data(), s.hidden.data(), T * F);
    kernels::matmul(*L.w_down, s.hidden.data(), T, s.proj.data(), pool);
    for (int64_t i = 0; i < T * H; ++i) s.x[i] += s.proj[i];
  }
  cache.advance(T);

  const int64_t first = all_logits ? 0 : T - 1, n_out = T - first;
  kernels::rms_norm(s.x.data() + first * H, output_norm_.data(), s.xn.data(), n_out, H, c.norm_eps);
  grow(s.logits, n_out * c.vocab_size);
  kernels::matmul(*output_, s.xn.data(), n_out, s.logits.data(), pool);
}

}  // namespace slm
