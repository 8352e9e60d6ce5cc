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

// Small vectors (norm weights, biases) are widened to f32 once at load; `offset` turns
// Gemma-style stored w into the 1 + w the norm multiplies by.
std::vector<float> vector_f32(const WeightStore& w, const std::string& name, int64_t n, double offset = 0) {
  const Tensor& t = w.get(name, {n});
  std::vector<float> out(n);
  kernels::row_to_f32(t.dtype, t.data, out.data(), n);
  if (offset != 0)
    for (auto& v : out) v = static_cast<float>(v + offset);
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
  const double off = c.norm_weight_offset;
  output_norm_ = vector_f32(w, "output_norm.weight", H, off);

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
    L.attn_norm = vector_f32(w, p + "attn_norm.weight", H, off);
    L.ffn_norm = vector_f32(w, p + "ffn_norm.weight", H, off);
    if (c.post_norms) {
      L.post_attn_norm = vector_f32(w, p + "post_attention_norm.weight", H, off);
      L.post_ffw_norm = vector_f32(w, p + "post_ffw_norm.weight", H, off);
    }
    if (c.qk_norm) {
      L.q_norm = vector_f32(w, p + "attn_q_norm.weight", D, off);
      L.k_norm = vector_f32(w, p + "attn_k_norm.weight", D, off);
    }
    if (c.qkv_bias) {
      L.bq = vector_f32(w, p + "attn_q.bias", q_dim);
      L.bk = vector_f32(w, p + "attn_k.bias", kv_dim);
      L.bv = vector_f32(w, p + "attn_v.bias", kv_dim);
    }
    L.bo = optional_vector_f32(w, p + "attn_output.bias", H);
    L.rope = c.layer_uses_rope[l];
    L.window = c.layer_window[l];
    L.rope_set = L.window > 0 && c.rope_theta_local > 0 ? 1 : 0;
    layers_.push_back(std::move(L));
  }
  // Global layers use rope_theta (and the scaling); windowed layers may have their own base.
  rope_.push_back(compute_rope_frequencies(c, c.rope_theta, true));
  const double local_theta = c.rope_theta_local > 0 ? c.rope_theta_local : c.rope_theta;
  rope_.push_back(compute_rope_frequencies(c, local_theta, !c.rope_scaling.global_layers_only));
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
  const int64_t q_dim = c.n_heads * D, kv_dim = c.n_kv_heads * D, rot_dim = c.rotary_dim(), half = rot_dim / 2;

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
  for (int set = 0; set < 2; ++set) {
    grow(s.rope_cos[set], T * half);
    grow(s.rope_sin[set], T * half);
  }

  const size_t embed_row_bytes = dtype_bytes(embed_->dtype, H);
  for (int64_t t = 0; t < T; ++t) {
    const int32_t id = tokens[t];
    if (id < 0 || id >= c.vocab_size)
      throw Error("token id " + std::to_string(id) + " is outside the vocabulary (0.." +
                  std::to_string(c.vocab_size - 1) + ")");
    float* xt = s.x.data() + t * H;
    kernels::row_to_f32(embed_->dtype, static_cast<const uint8_t*>(embed_->data) + id * embed_row_bytes, xt, H);
    if (c.embedding_scale != 1.0)
      for (int64_t i = 0; i < H; ++i) xt[i] = static_cast<float>(xt[i] * c.embedding_scale);
    for (int set = 0; set < 2; ++set) {
      const RopeFrequencies& r = rope_[set];
      kernels::rope_tables(static_cast<double>(pos0 + t), r.for_sequence_end(pos0 + T).data(), half, r.mscale,
                           s.rope_cos[set].data() + t * half, s.rope_sin[set].data() + t * half);
    }
  }

  const float scale = static_cast<float>(c.attention_scale > 0 ? c.attention_scale : 1.0 / std::sqrt(D));
  for (size_t l = 0; l < layers_.size(); ++l) {
    const Layer& L = layers_[l];
    const kernels::AttentionShape shape{c.n_heads, c.n_kv_heads, D, kv_dim, scale, L.window};
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
        const float* cs = s.rope_cos[L.rope_set].data() + t * half;
        const float* sn = s.rope_sin[L.rope_set].data() + t * half;
        kernels::rope_rotate_half(s.q.data() + t * q_dim, c.n_heads, D, rot_dim, cs, sn);
        kernels::rope_rotate_half(s.k.data() + t * kv_dim, c.n_kv_heads, D, rot_dim, cs, sn);
      }
    float* kc = cache.keys(l);
    float* vc = cache.values(l);
    std::copy(s.k.begin(), s.k.begin() + T * kv_dim, kc + pos0 * kv_dim);
    std::copy(s.v.begin(), s.v.begin() + T * kv_dim, vc + pos0 * kv_dim);
    kernels::attention(s.q.data(), kc, vc, s.attn.data(), T, pos0, shape, s.scores.data(), pool);
    kernels::matmul(*L.wo, s.attn.data(), T, s.proj.data(), pool, L.bo.empty() ? nullptr : L.bo.data());
    if (!L.post_attn_norm.empty())
      kernels::rms_norm(s.proj.data(), L.post_attn_norm.data(), s.proj.data(), T, H, c.norm_eps);
    for (int64_t i = 0; i < T * H; ++i) s.x[i] += s.proj[i];

    // MLP block.
    kernels::rms_norm(s.x.data(), L.ffn_norm.data(), s.xn.data(), T, H, c.norm_eps);
    kernels::matmul(*L.w_gate, s.xn.data(), T, s.gate.data(), pool);
    kernels::matmul(*L.w_up, s.xn.data(), T, s.up.data(), pool);
    if (c.activation == Activation::GeluTanh)
      kernels::gelu_tanh_mul(s.gate.data(), s.up.data(), s.hidden.data(), T * F);
    else
      kernels::silu_mul(s.gate.data(), s.up.data(), s.hidden.data(), T * F);
    kernels::matmul(*L.w_down, s.hidden.data(), T, s.proj.data(), pool);
    if (!L.post_ffw_norm.empty())
      kernels::rms_norm(s.proj.data(), L.post_ffw_norm.data(), s.proj.data(), T, H, c.norm_eps);
    for (int64_t i = 0; i < T * H; ++i) s.x[i] += s.proj[i];
  }
  cache.advance(T);

  const int64_t first = all_logits ? 0 : T - 1, n_out = T - first;
  kernels::rms_norm(s.x.data() + first * H, output_norm_.data(), s.xn.data(), n_out, H, c.norm_eps);
  grow(s.logits, n_out * c.vocab_size);
  kernels::matmul(*output_, s.xn.data(), n_out, s.logits.data(), pool);
  if (c.final_logit_softcap > 0) {
    const float cap = static_cast<float>(c.final_logit_softcap);
    for (int64_t i = 0; i < n_out * c.vocab_size; ++i) s.logits[i] = cap * std::tanh(s.logits[i] / cap);
  }
}

}  // namespace slm
