// The Gemma 3n layer stack: each layer predicts the AltUp streams, runs attention (with the LAuReL
// side branch) and the MLP on the active stream, corrects all streams, and feeds its per-layer
// input into the inactive ones.
#include <cmath>

#include "kernels/norm.h"
#include "model/blocks/weights_util.h"
#include "model/transformer.h"

namespace slm {

void Transformer::run_altup_layers(std::span<const int32_t> tokens, std::span<const Segment> segments,
                                   ForwardScratch& s, ThreadPool& pool) const {
  const ModelConfig& c = config();
  const int64_t T = static_cast<int64_t>(tokens.size()), H = c.hidden_size, N = c.altup.n_streams;
  const int64_t LP = c.altup.per_layer_layers * c.altup.per_layer_dim;
  const int64_t stream = T * H;
  grow(s.streams, N * stream);
  grow(s.predictions, N * stream);
  grow(s.laurel, stream);
  grow(s.proj, stream);
  grow(s.first, stream);
  grow(s.per_layer_inputs, T * LP);

  per_layer_embedding_->compute(tokens, s.x.data(), s.per_layer_inputs.data(), pool);
  altup_streams_->expand(s.x.data(), T, s.streams.data(), pool);
  const float inv_sqrt2 = static_cast<float>(1.0 / std::sqrt(2.0));

  for (size_t l = 0; l < layers_.size(); ++l) {
    const Layer& L = layers_[l];
    L.altup->predict(s.streams.data(), T, s.predictions.data(), s.altup, pool);
    const float* active = s.predictions.data() + c.altup.active * stream;

    // Attention + LAuReL on the active prediction: x = (active + post_norm(attn) + laurel) / sqrt(2).
    kernels::rms_norm(active, L.attn_norm.data(), s.xn.data(), T, H, c.norm_eps);
    L.laurel->forward(s.xn.data(), T, s.laurel_rank, pool, s.laurel.data());
    mix(L, s.xn.data(), T, segments, s, pool, s.proj.data());
    kernels::rms_norm(s.proj.data(), L.post_attn_norm.data(), s.proj.data(), T, H, c.norm_eps);
    for (int64_t i = 0; i < stream; ++i) s.x[i] = (active[i] + s.proj[i] + s.laurel[i]) * inv_sqrt2;

    // MLP with post-norm, residual.
    kernels::rms_norm(s.x.data(), L.ffn_norm.data(), s.xn.data(), T, H, c.norm_eps);
    L.mlp->forward(s.xn.data(), T, s.layer, pool, s.proj.data());
    kernels::rms_norm(s.proj.data(), L.post_ffw_norm.data(), s.proj.data(), T, H, c.norm_eps);
    for (int64_t i = 0; i < stream; ++i) s.x[i] += s.proj[i];

    // Correct every stream, then add this layer's per-layer input to streams 1.. (as transformers does).
    L.altup->correct(s.predictions.data(), s.x.data(), T, s.streams.data(), s.altup, pool);
    const float* corrected_active = s.streams.data() + c.altup.active * stream;
    const auto& scale = L.altup->output_scale();
    for (int64_t t = 0; t < T; ++t)
      for (int64_t h = 0; h < H; ++h) s.first[t * H + h] = corrected_active[t * H + h] * scale[h];
    L.per_layer_input->forward(s.first.data(), s.per_layer_inputs.data() + c.weights_index(l) * c.altup.per_layer_dim, LP, T,
                               s.per_layer_gate, pool, s.proj.data());
    for (int64_t n = 1; n < N; ++n) {
      float* sn = s.streams.data() + n * stream;
      for (int64_t i = 0; i < stream; ++i) sn[i] += s.proj[i];
    }
  }
  altup_streams_->merge(s.streams.data(), T, s.x.data(), s.laurel, pool);
}

}  // namespace slm
