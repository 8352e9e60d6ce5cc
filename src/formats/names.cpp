#include "formats/names.h"

#include <regex>
#include <unordered_map>

namespace slm {

namespace {

const std::unordered_map<std::string, std::string> kGlobal = {
    {"model.embed_tokens.weight", "token_embd.weight"},
    {"model.norm.weight", "output_norm.weight"},
    {"lm_head.weight", "output.weight"},
    {"model.embed_tokens_per_layer.weight", "per_layer_token_embd.weight"},
    {"model.per_layer_model_projection.weight", "per_layer_model_proj.weight"},
    {"model.per_layer_projection_norm.weight", "per_layer_proj_norm.weight"},
};
const std::unordered_map<std::string, std::string> kPerLayer = {
    {"input_layernorm", "attn_norm"},        {"post_attention_layernorm", "ffn_norm"},
    {"self_attn.q_proj", "attn_q"},          {"self_attn.k_proj", "attn_k"},
    {"self_attn.v_proj", "attn_v"},          {"self_attn.o_proj", "attn_output"},
    {"self_attn.q_norm", "attn_q_norm"},     {"self_attn.k_norm", "attn_k_norm"},
    {"mlp.gate_proj", "ffn_gate"},           {"mlp.up_proj", "ffn_up"},
    {"mlp.down_proj", "ffn_down"},           {"self_attn.qkv_proj", "attn_qkv"},
    {"mlp.gate_up_proj", "ffn_gate_up"},     {"pre_feedforward_layernorm", "ffn_norm"},
    {"post_feedforward_layernorm", "post_ffw_norm"},
};

// Multimodal checkpoints nest the language model; transformers >= 4.52 and older releases
// spell the prefix differently.
std::string strip_language_model_prefix(const std::string& name) {
  static const std::pair<const char*, const char*> prefixes[] = {
      {"language_model.model.", "model."},
      {"model.language_model.", "model."},
      {"language_model.lm_head.", "lm_head."},
  };
  for (auto [from, to] : prefixes)
    if (name.rfind(from, 0) == 0) return to + name.substr(std::string(from).size());
  return name;
}

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

std::optional<std::string> canonical_name_from_hf(const std::string& original_name,
                                                  const std::map<std::string, std::string>& layer_renames) {
  const std::string hf_name = strip_language_model_prefix(original_name);
  if (auto it = kGlobal.find(hf_name); it != kGlobal.end()) return it->second;
  static const std::regex altup_re(R"(^model\.altup_(projections|unembed_projections)\.(\d+)\.weight$)");
  std::smatch a;
  if (std::regex_match(hf_name, a, altup_re))
    return (a[1] == "projections" ? "altup_proj." : "altup_unembd_proj.") + a[2].str() + ".weight";
  static const std::regex layer_re(R"(^model\.layers\.(\d+)\.(.+)$)");
  std::smatch m;
  if (!std::regex_match(hf_name, m, layer_re)) return std::nullopt;
  const std::string layer = "blk." + m[1].str() + ".", rest = m[2].str();
  // A family may rename a whole parameter (e.g. a bare "linear_attn.A_log") or a module.
  if (auto r = layer_renames.find(rest); r != layer_renames.end()) return layer + r->second;
  const size_t dot = rest.rfind('.');
  if (dot == std::string::npos) return std::nullopt;
  const std::string module = rest.substr(0, dot), suffix = rest.substr(dot + 1);
  if (suffix != "weight" && suffix != "bias") return std::nullopt;
  if (auto r = layer_renames.find(module); r != layer_renames.end()) return layer + r->second + "." + suffix;
  auto it = kPerLayer.find(module);
  if (it == kPerLayer.end()) return std::nullopt;
  return layer + it->second + "." + suffix;
}

}  // namespace slm
