// Qwen3.5: a hybrid of Gated DeltaNet layers and gated full-attention layers (q_proj also emits a
// sigmoid output gate), (1 + w) RMSNorms, q/k norms, partial RoPE.
#include "model/families/family.h"

namespace slm {

const Family& qwen35_family() {
  static const Family f{
      .name = "qwen35",
      .hf_model_types = {"qwen3_5_text", "qwen3_5"},
      .hf_architectures = {"Qwen3_5ForCausalLM", "Qwen3_5ForConditionalGeneration"},
      .gguf_archs = {"qwen35"},
      .configure =
          [](ModelConfig& c) {
            c.qk_norm = true;
            c.attn_output_gate = true;
          },
      .hf_layer_renames = {{"linear_attn.in_proj_qkv", "attn_qkv"},
                           {"linear_attn.in_proj_z", "attn_gate"},
                           {"linear_attn.in_proj_b", "ssm_beta"},
                           {"linear_attn.in_proj_a", "ssm_alpha"},
                           {"linear_attn.conv1d", "ssm_conv1d"},
                           {"linear_attn.A_log", "ssm_a_log"},
                           {"linear_attn.dt_bias", "ssm_dt.bias"},
                           {"linear_attn.norm", "ssm_norm"},
                           {"linear_attn.out_proj", "ssm_out"}},
      .gguf_layer_renames = {{"post_attention_norm", "ffn_norm"}},
      .hf_norm_weight_offset = 1.0,
  };
  return f;
}

}  // namespace slm
