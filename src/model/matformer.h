#pragma once
// MatFormer sub-model selection (Gemma 3n): a MatFormer checkpoint nests smaller models — each
// layer's MLP keeps only its first neurons, and some layers can be skipped entirely (Gemma 3n
// E2B is E4B with 8192-wide MLPs and layers 20-24 skipped). Slicing happens at load, before the
// decoder is built: MLP gate/up rows become views, down columns a compact copy.
#include <cstdint>
#include <string>
#include <vector>

#include "formats/model_files.h"

namespace slm {

struct MatFormerSlice {
  std::vector<int64_t> ffn_widths;   // one per layer that remains (empty = keep the widths)
  std::vector<int64_t> skip_layers;  // layer indices of the full model
};

// {"ffn_hidden_dims": [8192, ...], "layers_skipped": [20, 21, ...] | null}
MatFormerSlice read_matformer_slice(const std::string& json_path);

// Throws slm::Error when the model is no MatFormer or the slice does not fit it.
void apply_matformer_slice(ModelFiles& files, const MatFormerSlice& slice);

}  // namespace slm
