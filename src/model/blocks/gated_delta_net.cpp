#include "model/blocks/gated_delta_net.h"

#include <cmath>

#include "kernels/dot.h"
#include "kernels/matmul.h"
#include "model/blocks/weights_util.h"
#include "slm/error.h"

namespace slm {

namespace {

float silu(float x) { return x / (1.0f + std::exp(-x)); }
float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }
// torch.nn.functional.softplus with its default threshold of 20.
float softplus(float x) { return x > 20.0f ? x : std::log1p(std::exp(x)); }

void l2_normalize(float* v, int64_t n) {
  double ss = 0;
  for (int64_t i = 0; i < n; ++i) ss += static_cast<double>(v[i]) * v[i];
  const float inv = static_cast<float>(1.0 / std::sqrt(ss + 1e-6));
  for (int64_t i = 0; i < n; ++i) v[i] *= inv;
}

}  // namespace

GatedDeltaNetBlock::GatedDeltaNetBlock(const WeightStore& w, const ModelConfig& c, int64_t layer)
    : c_(c), layer_(layer) {
  const auto& d = c.delta_net;
  const int64_t H = c.hidden_size, C = d.qkv_dim(), V = d.n_value_heads * d.value_dim;
  const std::string p = c.layer_prefix(layer);
  w_qkv_ = &w.get(p + "attn_qkv.weight", {C, H});
  w_z_ = &w.get(p + "attn_gate.weight", {V, H});
  w_beta_ = &w.get(p + "ssm_beta.weight", {d.n_value_heads, H});
  w_alpha_ = &w.get(p + "ssm_alpha.weight", {d.n_value_heads, H});
  w_out_ = &w.get(p + "ssm_out.weight", {H, V});

  // The convolution weight is [channels, kernel] in GGUF and [channels, 1, kernel] in Hugging Face.
  const std::string conv_name = p + "ssm_conv1d.weight";
  const Tensor* conv = w.find(conv_name);
  if (!conv) throw Error(w.source + ": missing tensor " + conv_name);
  if (conv->numel() != C * d.conv_kernel || conv->shape.front() != C || conv->shape.back() != d.conv_kernel)
    throw Error(w.origin(conv_name) + ": expected shape [" + std::to_string(C) + "," + std::to_string(d.conv_kernel) +
                "], got " + shape_string(conv->shape));
  conv_w_.resize(C * d.conv_kernel);
  for (int64_t i = 0; i < C * d.conv_kernel; ++i) conv_w_[i] = tensor_element(*conv, i);

  if (w.has(p + "ssm_a")) {
    decay_ = load_vector_f32(w, p + "ssm_a", d.n_value_heads);  // GGUF stores -exp(A_log)
  } else {
    decay_ = load_vector_f32(w, p + "ssm_a_log", d.n_value_heads);
    for (auto& v : decay_) v = -std::exp(v);
  }
  dt_bias_ = load_vector_f32(w, p + "ssm_dt.bias", d.n_value_heads);
  norm_w_ = load_vector_f32(w, p + "ssm_norm.weight", d.value_dim);
}

void GatedDeltaNetBlock::convolve(const Segment& g, RecurrentState& state, DeltaNetScratch& s) const {
  const auto& d = c_.delta_net;
  const int64_t C = d.qkv_dim(), K = d.conv_kernel, hist = K - 1, T = g.count;
  // Input at relative time tau (-hist..T-1): history rows first, then this segment's rows.
  auto input = [&](int64_t tau, int64_t ch) {
    return tau < 0 ? state.conv[(hist + tau) * C + ch] : s.qkv[(g.offset + tau) * C + ch];
  };
  for (int64_t t = 0; t < T; ++t)
    for (int64_t ch = 0; ch < C; ++ch) {
      float acc = 0;
      for (int64_t i = 0; i < K; ++i) acc += conv_w_[ch * K + i] * input(t - hist + i, ch);
      s.conv_out[(g.offset + t) * C + ch] = silu(acc);
    }
  // Keep the last K-1 inputs for the next call.
  std::vector<float> next(hist * C);
  for (int64_t r = 0; r < hist; ++r)
    for (int64_t ch = 0; ch < C; ++ch) next[r * C + ch] = input(T - hist + r, ch);
  state.conv = std::move(next);
}

void GatedDeltaNetBlock::forward(const float* xn, int64_t T, std::span<const Segment> segments, DeltaNetScratch& s,
                                 ThreadPool& pool, float* out) const {
  const auto& d = c_.delta_net;
  const int64_t C = d.qkv_dim(), Hk = d.n_key_heads, Hv = d.n_value_heads, dk = d.key_dim, dv = d.value_dim;
  grow(s.qkv, T * C);
  grow(s.conv_out, T * C);
  grow(s.z, T * Hv * dv);
  grow(s.beta, T * Hv);
  grow(s.alpha, T * Hv);
  grow(s.o, T * Hv * dv);
  kernels::matmul(*w_qkv_, xn, T, s.qkv.data(), pool);
  kernels::matmul(*w_z_, xn, T, s.z.data(), pool);
  kernels::matmul(*w_beta_, xn, T, s.beta.data(), pool);
  kernels::matmul(*w_alpha_, xn, T, s.alpha.data(), pool);

  for (const Segment& g : segments) convolve(g, g.cache->recurrent(layer_), s);

  // q and k heads: L2-normalised, q scaled by 1/sqrt(dk).
  const float q_scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(dk)));
  for (int64_t t = 0; t < T; ++t) {
    float* row = s.conv_out.data() + t * C;
    for (int64_t h = 0; h < 2 * Hk; ++h) l2_normalize(row + h * dk, dk);
    for (int64_t i = 0; i < Hk * dk; ++i) row[i] *= q_scale;
  }

  const int64_t group = Hv / Hk;
  // Every (segment, value head) pair is an independent recurrence.
  const size_t jobs = segments.size() * static_cast<size_t>(Hv);
  pool.parallel_for(jobs, [&](size_t begin, size_t end, int) {
    thread_local std::vector<float> kv_mem;
    kv_mem.resize(dv);
    for (size_t job = begin; job < end; ++job) {
      const Segment& g = segments[job / Hv];
      const int64_t h = static_cast<int64_t>(job % Hv);
      const int64_t kh = d.tiled_heads ? h % Hk : h / group;
      float* S = g.cache->recurrent(layer_).ssm.data() + h * dk * dv;  // [dk][dv]
      for (int64_t t = g.offset; t < g.offset + g.count; ++t) {
        const float* row = s.conv_out.data() + t * C;
        const float* q = row + kh * dk;
        const float* k = row + Hk * dk + kh * dk;
        const float* v = row + 2 * Hk * dk + h * dv;
        const float beta = sigmoid(s.beta[t * Hv + h]);
        const float decay = std::exp(decay_[h] * softplus(s.alpha[t * Hv + h] + dt_bias_[h]));
        for (int64_t i = 0; i < dk * dv; ++i) S[i] *= decay;
        std::fill(kv_mem.begin(), kv_mem.end(), 0.0f);
        for (int64_t i = 0; i < dk; ++i)
          for (int64_t j = 0; j < dv; ++j) kv_mem[j] += S[i * dv + j] * k[i];
        for (int64_t j = 0; j < dv; ++j) kv_mem[j] = (v[j] - kv_mem[j]) * beta;  // delta
        for (int64_t i = 0; i < dk; ++i)
          for (int64_t j = 0; j < dv; ++j) S[i * dv + j] += k[i] * kv_mem[j];
        float* o = s.o.data() + t * Hv * dv + h * dv;
        std::fill(o, o + dv, 0.0f);
        for (int64_t i = 0; i < dk; ++i)
          for (int64_t j = 0; j < dv; ++j) o[j] += S[i * dv + j] * q[i];
        // Gated RMSNorm over the head: norm(o) * w * silu(z).
        double ss = 0;
        for (int64_t j = 0; j < dv; ++j) ss += static_cast<double>(o[j]) * o[j];
        const float inv = static_cast<float>(1.0 / std::sqrt(ss / dv + c_.norm_eps));
        const float* z = s.z.data() + t * Hv * dv + h * dv;
        for (int64_t j = 0; j < dv; ++j) o[j] = o[j] * inv * norm_w_[j] * silu(z[j]);
      }
    }
  });
  kernels::matmul(*w_out_, s.o.data(), T, out, pool);
}

}  // namespace slm
