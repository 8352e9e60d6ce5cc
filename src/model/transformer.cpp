#include "model/transformer.h"

#include <cmath>

#include "base/parallel_rows.h"
#include "kernels/dot.h"
#include "kernels/matmul.h"
#include "kernels/norm.h"
#include "kernels/rope.h"
#include "model/blocks/weights_util.h"
#include "slm/error.h"

namespace slm {

Transformer::Transformer(std::unique_ptr<ModelFiles> files) : files_(std::move(files)) {
  const ModelConfig& c = files_->config;
  const WeightStore& w = files_->weights;
  const int64_t H = c.hidden_size;
  const double off = c.norm_weight_offset;

  embed_ = &w.get("token_embd.weight", {c.vocab_size, H});
  if (c.tied_embeddings || !w.has("output.weight")) {
    if (!c.tied_embeddings) throw Error(w.source + ": missing tensor output.weight (lm_head.weight)");
    output_ = embed_;
  } else {
    output_ = &w.get("output.weight", {c.vocab_size, H});
  }
  output_norm_ = load_vector_f32(w, "output_norm.weight", H, off);

  for (int64_t l = 0; l < c.n_layers; ++l) {
    const std::string p = c.layer_prefix(l);
    Layer L;
    if (c.layer_kinds[l] == LayerKind::GatedDeltaNet)
      L.delta_net = std::make_unique<GatedDeltaNetBlock>(w, c, l);
    else
      L.attention = std::make_unique<AttentionBlock>(w, c, l);
    L.mlp = std::make_unique<MlpBlock>(w, c, l);
    L.attn_norm = load_vector_f32(w, p + "attn_norm.weight", H, off);
    L.ffn_norm = load_vector_f32(w, p + "ffn_norm.weight", H, off);
    if (c.post_norms) {
      L.post_attn_norm = load_vector_f32(w, p + "post_attention_norm.weight", H, off);
      L.post_ffw_norm = load_vector_f32(w, p + "post_ffw_norm.weight", H, off);
    }
    if (c.altup.n_streams > 0) {
      L.altup = std::make_unique<AltUpLayer>(w, c, l);
      L.laurel = std::make_unique<LaurelBlock>(w, c, l);
      L.per_layer_input = std::make_unique<PerLayerInputBlock>(w, c, l);
    }
    layers_.push_back(std::move(L));
  }
  if (c.altup.n_streams > 0) {
    altup_streams_ = std::make_unique<AltUpStreams>(w, c);
    per_layer_embedding_ = std::make_unique<PerLayerEmbedding>(w, c);
  }
  // Global layers use rope_theta (and the scaling); windowed layers may have their own base.
  rope_.push_back(compute_rope_frequencies(c, c.rope_theta, true));
  const double local_theta = c.rope_theta_local > 0 ? c.rope_theta_local : c.rope_theta;
  rope_.push_back(compute_rope_frequencies(c, local_theta, !c.rope_scaling.global_layers_only));
}

void Transformer::forward(std::span<const int32_t> tokens, KVCache& cache, ForwardScratch& s, ThreadPool& pool,
                          bool all_logits) const {
  const int64_t T = static_cast<int64_t>(tokens.size());
  const int64_t chunk = cache.max_chunk();
  if (chunk == 0 || T <= chunk) {
    const BatchItem item{tokens, &cache, all_logits};
    return forward_step(std::span<const BatchItem>(&item, 1), s, pool);
  }
  if (cache.size() + T > cache.capacity())
    throw Error("context full: " + std::to_string(cache.size() + T) + " positions needed, the context holds " +
                std::to_string(cache.capacity()));
  // Sliding-window rings hold window + chunk rows: feed the tokens a chunk at a time.
  const int64_t V = config().vocab_size;
  std::vector<float> all;
  for (int64_t b = 0; b < T; b += chunk) {
    const int64_t n = std::min(chunk, T - b);
    const BatchItem item{tokens.subspan(b, n), &cache, all_logits};
    forward_step(std::span<const BatchItem>(&item, 1), s, pool);
    if (all_logits) all.insert(all.end(), s.logits.begin(), s.logits.begin() + n * V);
  }
  if (all_logits) s.logits.swap(all);
}

void Transformer::forward_batch(std::span<const BatchItem> items, ForwardScratch& s, ThreadPool& pool) const {
  bool fits = true;
  for (const BatchItem& item : items)
    if (item.cache->max_chunk() > 0 && static_cast<int64_t>(item.tokens.size()) > item.cache->max_chunk()) fits = false;
  if (fits) return forward_step(items, s, pool);
  // A long prompt among the items: run each on its own (chunked), concatenating the logits.
  const int64_t V = config().vocab_size;
  std::vector<float> out;
  for (const BatchItem& item : items) {
    forward(item.tokens, *item.cache, s, pool, item.all_logits);
    const int64_t rows = item.all_logits ? static_cast<int64_t>(item.tokens.size()) : 1;
    out.insert(out.end(), s.logits.begin(), s.logits.begin() + rows * V);
  }
  s.logits.swap(out);
}

void Transformer::forward_step(std::span<const BatchItem> items, ForwardScratch& s, ThreadPool& pool) const {
  const ModelConfig& c = config();
  s.tokens.clear();
  s.segments.clear();
  for (const BatchItem& item : items) {
    KVCache& cache = *item.cache;
    const int64_t n = static_cast<int64_t>(item.tokens.size());
    if (cache.size() + n > cache.capacity())
      throw Error("context full: " + std::to_string(cache.size() + n) + " positions needed, the context holds " +
                  std::to_string(cache.capacity()));
    if (n == 0) continue;
    s.segments.push_back(Segment{static_cast<int64_t>(s.tokens.size()), n, cache.size(), &cache});
    s.tokens.insert(s.tokens.end(), item.tokens.begin(), item.tokens.end());
  }
  const int64_t T = static_cast<int64_t>(s.tokens.size());
  if (T == 0) return;
  const int64_t H = c.hidden_size, half = c.rotary_dim() / 2;
  grow(s.x, T * H);
  grow(s.xn, T * H);
  for (int set = 0; set < 2; ++set) {
    grow(s.rope_cos[set], T * half);
    grow(s.rope_sin[set], T * half);
  }

  for (const Segment& g : s.segments)
    for (int64_t t = 0; t < g.count; ++t) {
      const int64_t row = g.offset + t;
      const int32_t id = s.tokens[row];
      if (id < 0 || id >= c.vocab_size)
        throw Error("token id " + std::to_string(id) + " is outside the vocabulary (0.." +
                    std::to_string(c.vocab_size - 1) + ")");
      float* xt = s.x.data() + row * H;
      kernels::matrix_row_to_f32(*embed_, id, xt);
      if (c.embedding_scale != 1.0)
        for (int64_t i = 0; i < H; ++i) xt[i] = static_cast<float>(xt[i] * c.embedding_scale);
      for (int set = 0; set < 2; ++set) {
        const RopeFrequencies& r = rope_[set];
        kernels::rope_tables(static_cast<double>(g.pos0 + t), r.for_sequence_end(g.pos0 + g.count).data(), half,
                             r.mscale, s.rope_cos[set].data() + row * half, s.rope_sin[set].data() + row * half);
      }
    }

  if (altup_streams_)
    run_altup_layers(s.tokens, s.segments, s, pool);
  else
    run_layers(T, s.segments, s, pool);
  for (const Segment& g : s.segments) g.cache->advance(g.count);

  // Final norm and LM head over the rows whose logits are wanted, in item order.
  std::vector<int64_t>& rows = s.logit_rows;
  rows.clear();
  size_t seg = 0;
  for (const BatchItem& item : items) {
    if (item.tokens.empty()) continue;
    const Segment& g = s.segments[seg++];
    for (int64_t t = item.all_logits ? 0 : g.count - 1; t < g.count; ++t) rows.push_back(g.offset + t);
  }
  const int64_t n_out = static_cast<int64_t>(rows.size());
  for (int64_t r = 0; r < n_out; ++r)
    kernels::rms_norm(s.x.data() + rows[r] * H, output_norm_.data(), s.xn.data() + r * H, 1, H, c.norm_eps);
  grow(s.logits, n_out * c.vocab_size);
  kernels::matmul(*output_, s.xn.data(), n_out, s.logits.data(), pool);
  if (c.final_logit_softcap > 0) {
    const float cap = static_cast<float>(c.final_logit_softcap);
    for (int64_t i = 0; i < n_out * c.vocab_size; ++i) s.logits[i] = cap * std::tanh(s.logits[i] / cap);
  }
}

void Transformer::mix(const Layer& L, const float* xn, int64_t T, std::span<const Segment> segments,
                      ForwardScratch& s, ThreadPool& pool, float* out) const {
  if (L.attention) {
    const int set = L.attention->rope_set();
    const RopeTables rope{s.rope_cos[set].data(), s.rope_sin[set].data()};
    L.attention->forward(xn, T, segments, rope, s.attention, s.layer, pool, out);
  } else {
    L.delta_net->forward(xn, T, segments, s.delta_net, pool, out);
  }
}

void Transformer::run_layers(int64_t T, std::span<const Segment> segments, ForwardScratch& s, ThreadPool& pool) const {
  const ModelConfig& c = config();
  const int64_t H = c.hidden_size;
  // Each block reads its input (xn) only before it starts writing its output, so the output
  // lands in xn itself: no third T x H buffer.
  auto add_residual = [&](const std::vector<float>& post_norm) {
    for_row_ranges(pool, T, [&](int64_t b, int64_t e) {
      float* proj = s.xn.data() + b * H;
      if (!post_norm.empty()) kernels::rms_norm(proj, post_norm.data(), proj, e - b, H, c.norm_eps);
      float* x = s.x.data() + b * H;
      for (int64_t i = 0; i < (e - b) * H; ++i) x[i] += proj[i];
    });
  };
  auto norm = [&](const std::vector<float>& weight) {
    for_row_ranges(pool, T, [&](int64_t b, int64_t e) {
      kernels::rms_norm(s.x.data() + b * H, weight.data(), s.xn.data() + b * H, e - b, H, c.norm_eps);
    });
  };
  for (const Layer& L : layers_) {
    norm(L.attn_norm);
    mix(L, s.xn.data(), T, segments, s, pool, s.xn.data());
    add_residual(L.post_attn_norm);
    norm(L.ffn_norm);
    L.mlp->forward(s.xn.data(), T, s.layer, pool, s.xn.data());
    add_residual(L.post_ffw_norm);
  }
}

}  // namespace slm
