#include "formats/names.h"

#include <regex>
#include <unordered_map>

namespace slm {

namespace {

const std::unordered_map<std::string, std::string> kGlobal = {
    {"model.embed_tokens.weight", "token_embd.weight"},
    {"model.norm.weight", "output_norm.weight"},
    {"lm_head.weight", "output.weight"},
};
const std::unordered_map<std::string, std::string> kPerLayer = {
    {"input_layernorm", "attn_norm"},        {"post_attention_layernorm", "ffn_norm"},
    {"self_attn.q_proj", "attn_q"},          {"self_attn.k_proj", "attn_k"},
    {"self_attn.v_proj", "attn_v"},          {"self_attn.o_proj", "attn_output"},
    {"self_attn.q_norm", "attn_q_norm"},     {"self_attn.k_norm", "attn_k_norm"},
    {"mlp.gate_proj", "ffn_gate"},           {"mlp.up_proj", "ffn_up"},
    {"mlp.down_proj", "ffn_down"},
};

}  // namespace

std::optional<std::string> hf_name_from_canonical(const std::string& canonical) {
  for (const auto& [hf, c] : kGlobal)
    if (c == canonical) return hf;
  static const std::regex layer_re(R"(^blk\.(\d+)\.([a-z_]+)\.(weight|bias)$)");
  std::smatch m;
  if (!std::regex_match(canonical, m, layer_re)) return std::nullopt;
  for (const auto& [hf, c] : kPerLayer)
    if (c == m[2].str()) return "model.layers." + m[1].str() + "." + hf + "." + m[3].str();
  return std::nullopt;
}

std::optional<std::string> canonical_name_from_hf(const std::string& hf_name) {
  const auto& global = kGlobal;
  const auto& per_layer = kPerLayer;
  if (auto it = global.find(hf_name); it != global.end()) return it->second;
  static const std::regex layer_re(R"(^model\.layers\.(\d+)\.(.+)\.(weight|bias)$)");
  std::smatch m;
  if (!std::regex_match(hf_name, m, layer_re)) return std::nullopt;
  auto it = per_layer.find(m[2].str());
  if (it == per_layer.end()) return std::nullopt;
  return "blk." + m[1].str() + "." + it->second + "." + m[3].str();
}

}  // namespace slm
