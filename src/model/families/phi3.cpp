// Phi-3 / Phi-4-mini: a Llama-style decoder with fused qkv and gate_up projections (split into
// views at load), partial rotary embeddings and LongRoPE.
#include "model/families/family.h"

namespace slm {

const Family& phi3_family() {
  static const Family f{
      .name = "phi3",
      .hf_model_types = {"phi3"},
      .hf_architectures = {"Phi3ForCausalLM"},
      .gguf_archs = {"phi3"},
  };
  return f;
}

}  // namespace slm
