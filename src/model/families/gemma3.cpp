// Gemma 3 text: (1 + w) RMSNorms before and after attention and MLP, q/k norms, embeddings scaled by
// sqrt(hidden), GELU-tanh MLP, five sliding-window layers (local RoPE base) per global layer.
#include <cmath>

#include "model/families/family.h"

namespace slm {

const Family& gemma3_family() {
  static const Family f{
      .name = "gemma3",
      .hf_model_types = {"gemma3_text", "gemma3"},
      .hf_architectures = {"Gemma3ForCausalLM", "Gemma3ForConditionalGeneration"},
      .gguf_archs = {"gemma3"},
      .configure =
          [](ModelConfig& c) {
            c.qk_norm = true;
            c.post_norms = true;
            c.activation = Activation::GeluTanh;
            c.embedding_scale = std::sqrt(static_cast<double>(c.hidden_size));
            c.rope_scaling.global_layers_only = true;
          },
      .hf_layer_renames = {{"post_attention_layernorm", "post_attention_norm"},
                           {"pre_feedforward_layernorm", "ffn_norm"},
                           {"post_feedforward_layernorm", "post_ffw_norm"}},
      .hf_norm_weight_offset = 1.0,
      .sliding_window_pattern = 6,
  };
  return f;
}

}  // namespace slm
