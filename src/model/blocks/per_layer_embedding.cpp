#include "model/blocks/per_layer_embedding.h"

#include <cmath>

#include "kernels/activation.h"
#include "kernels/dot.h"
#include "kernels/matmul.h"
#include "kernels/norm.h"
#include "model/blocks/weights_util.h"

namespace slm {

PerLayerEmbedding::PerLayerEmbedding(const WeightStore& w, const ModelConfig& c) : c_(c) {
  const int64_t LP = c.altup.per_layer_layers * c.altup.per_layer_dim;
  table_ = &w.get("per_layer_token_embd.weight", {c.altup.per_layer_vocab, LP});
  projection_ = &w.get("per_layer_model_proj.weight", {LP, c.hidden_size});
  projection_norm_ = load_vector_f32(w, "per_layer_proj_norm.weight", c.altup.per_layer_dim, c.norm_weight_offset);
}

void PerLayerEmbedding::compute(std::span<const int32_t> tokens, const float* x0, float* out, ThreadPool& pool) const {
  const int64_t T = static_cast<int64_t>(tokens.size()), P = c_.altup.per_layer_dim,
                LP = c_.altup.per_layer_layers * P;
  kernels::matmul(*projection_, x0, T, out, pool);
  const float proj_scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(c_.hidden_size)));
  for (int64_t i = 0; i < T * LP; ++i) out[i] *= proj_scale;
  kernels::rms_norm(out, projection_norm_.data(), out, T * c_.altup.per_layer_layers, P, c_.norm_eps);

  thread_local std::vector<float> row;  // reused: no allocation per decode step
  row.resize(LP);
  const float table_scale = static_cast<float>(std::sqrt(static_cast<double>(P)));
  const float mix = static_cast<float>(1.0 / std::sqrt(2.0));
  for (int64_t t = 0; t < T; ++t) {
    // Ids beyond the table (multimodal stand-ins) read the padding row 0.
    const int64_t id = tokens[t] < c_.altup.per_layer_vocab ? tokens[t] : 0;
    kernels::matrix_row_to_f32(*table_, id, row.data());
    float* o = out + t * LP;
    for (int64_t i = 0; i < LP; ++i) o[i] = (o[i] + row[i] * table_scale) * mix;
  }
}

PerLayerInputBlock::PerLayerInputBlock(const WeightStore& w, const ModelConfig& c, int64_t layer) : c_(c) {
  const int64_t H = c.hidden_size, P = c.altup.per_layer_dim;
  const std::string p = c.layer_prefix(layer);
  gate_ = &w.get(p + "inp_gate.weight", {P, H});
  projection_ = &w.get(p + "proj.weight", {H, P});
  post_norm_ = load_vector_f32(w, p + "post_norm.weight", H, c.norm_weight_offset);
}

void PerLayerInputBlock::forward(const float* x, const float* layer_input, int64_t input_stride, int64_t T,
                                 std::vector<float>& scratch, ThreadPool& pool, float* out) const {
  const int64_t H = c_.hidden_size, P = c_.altup.per_layer_dim;
  grow(scratch, 2 * T * P);
  float* gate = scratch.data();
  float* gated = scratch.data() + T * P;
  kernels::matmul(*gate_, x, T, gate, pool);
  for (int64_t t = 0; t < T; ++t)
    kernels::gelu_tanh_mul(gate + t * P, layer_input + t * input_stride, gated + t * P, P);
  kernels::matmul(*projection_, gated, T, out, pool);
  kernels::rms_norm(out, post_norm_.data(), out, T, H, c_.norm_eps);
}

}  // namespace slm
