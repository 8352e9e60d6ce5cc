// SmolLM3: a Llama decoder in which every fourth layer uses no positional encoding (NoPE).
#include "model/families/family.h"

namespace slm {

const Family& smollm3_family() {
  static const Family f{
      .name = "smollm3",
      .hf_model_types = {"smollm3"},
      .hf_architectures = {"SmolLM3ForCausalLM"},
      .gguf_archs = {"smollm3"},
      .gguf_qk_permuted = true,
      .gguf_no_rope_layer_interval = 4,
  };
  return f;
}

}  // namespace slm
