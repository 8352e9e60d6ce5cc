// Qwen2 (and DeepSeek-R1-Distill-Qwen): biases on the q/k/v projections.
// Qwen3: no biases; RMSNorm over each query and key head before RoPE.
#include "model/families/family.h"

namespace slm {

const Family& qwen2_family() {
  static const Family f{
      .name = "qwen2",
      .hf_model_types = {"qwen2"},
      .hf_architectures = {"Qwen2ForCausalLM"},
      .gguf_archs = {"qwen2"},
      .configure = [](ModelConfig& c) { c.qkv_bias = true; },
  };
  return f;
}

const Family& qwen3_family() {
  static const Family f{
      .name = "qwen3",
      .hf_model_types = {"qwen3"},
      .hf_architectures = {"Qwen3ForCausalLM"},
      .gguf_archs = {"qwen3"},
      .configure = [](ModelConfig& c) { c.qk_norm = true; },
  };
  return f;
}

}  // namespace slm
