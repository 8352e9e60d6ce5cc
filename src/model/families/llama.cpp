// Llama 2 / 3.x: the plain pre-norm decoder (RMSNorm, RoPE, GQA, SwiGLU).
#include "model/families/family.h"

namespace slm {

const Family& llama_family() {
  static const Family f{
      .name = "llama",
      .hf_model_types = {"llama"},
      .hf_architectures = {"LlamaForCausalLM"},
      .gguf_archs = {"llama"},
      .gguf_qk_permuted = true,
  };
  return f;
}

}  // namespace slm
