#pragma once
// Hugging Face tensor names -> canonical (GGUF-style) names, and GGUF layout conventions.
#include <map>
#include <optional>
#include <string>

namespace slm {

// "model.layers.3.self_attn.q_proj.weight" -> "blk.3.attn_q.weight"; nullopt for names slm does not use.
// `layer_renames` holds a family's own meanings of per-layer module names.
std::optional<std::string> canonical_name_from_hf(const std::string& hf_name,
                                                  const std::map<std::string, std::string>& layer_renames = {});
// The inverse, for messages about a Hugging Face checkpoint.
std::optional<std::string> hf_name_from_canonical(const std::string& canonical);

}  // namespace slm
