// Gemma 3n (text path): Gemma 3's layer shape plus AltUp streams, LAuReL, per-layer embeddings,
// K/V shared by the last layers, Gaussian top-k sparsity in the first MLPs, plain x * w norms,
// weightless v norm, attention scale 1 and a final logit soft-cap.
#include <cmath>

#include "model/families/family.h"

namespace slm {

namespace {

// Layers at or past n_layers - n_shared attend with the K/V of the last earlier layer of the
// same kind (sliding or global).
void share_kv(ModelConfig& c, int64_t n_shared) {
  if (n_shared <= 0) return;
  const int64_t first_shared = c.n_layers - n_shared;
  c.kv_source_layer.resize(c.n_layers);
  for (int64_t l = 0; l < c.n_layers; ++l) {
    c.kv_source_layer[l] = l;
    if (l < first_shared) continue;
    for (int64_t s = first_shared - 1; s >= 0; --s)
      if ((c.layer_window[s] > 0) == (c.layer_window[l] > 0)) {
        c.kv_source_layer[l] = s;
        break;
      }
  }
}

}  // namespace

// Inverse of the standard normal CDF by Newton's method on erfc (p in (0, 1)).
double normal_quantile(double p) {
  double x = 0;
  for (int i = 0; i < 60; ++i) {
    const double cdf = 0.5 * std::erfc(-x / std::sqrt(2.0));
    const double pdf = std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI);
    const double step = (cdf - p) / pdf;
    x -= step;
    if (std::abs(step) < 1e-15) break;
  }
  return x;
}

const Family& gemma3n_family() {
  static const Family f{
      .name = "gemma3n",
      .hf_model_types = {"gemma3n_text", "gemma3n"},
      .hf_architectures = {"Gemma3nForCausalLM", "Gemma3nForConditionalGeneration"},
      .gguf_archs = {"gemma3n"},
      .configure =
          [](ModelConfig& c) {
            c.qk_norm = true;
            c.v_norm = true;
            c.post_norms = true;
            c.activation = Activation::GeluTanh;
            c.embedding_scale = std::sqrt(static_cast<double>(c.hidden_size));
            c.attention_scale = 1.0;
            c.tied_embeddings = true;
          },
      .hf_layer_renames = {{"post_attention_layernorm", "post_attention_norm"},
                           {"altup.correct_output_scale", "altup_correct_scale.weight"},
                           {"altup.correction_coefs", "altup_correct_coef"},
                           {"altup.modality_router", "altup_router"},
                           {"altup.prediction_coefs", "altup_predict_coef"},
                           {"altup.router_norm", "altup_router_norm"},
                           {"laurel.linear_left", "laurel_l"},
                           {"laurel.linear_right", "laurel_r"},
                           {"laurel.post_laurel_norm", "laurel_post_norm"},
                           {"per_layer_input_gate", "inp_gate"},
                           {"per_layer_projection", "proj"},
                           {"post_per_layer_input_norm", "post_norm"}},
      .sliding_window_pattern = 5,
      .share_kv = share_kv,
  };
  return f;
}

}  // namespace slm
