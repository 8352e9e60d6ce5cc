#include "hub/fit_config.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "model/config.h"
#include "slm/error.h"

namespace slm::hub {
namespace {

int64_t get_int(const nlohmann::json& j, const char* key, int64_t fallback = -1) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (it->is_number()) return it->get<int64_t>();
  return fallback;
}

int64_t require(const nlohmann::json& j, const char* key, const std::string& source) {
  const int64_t v = get_int(j, key);
  if (v <= 0) throw Error(source + ": missing or invalid '" + key + "'");
  return v;
}

}  // namespace

int64_t ArchShape::kv_layers() const {
  int64_t n = 0;
  for (int64_t i = 0; i < n_layers; ++i)
    if (!linear_layer[i]) ++n;
  return std::max<int64_t>(0, n - kv_shared_layers);
}

ArchShape read_arch_shape(const nlohmann::json& root, const std::string& source) {
  const nlohmann::json& j = root.contains("text_config") && root["text_config"].is_object() ? root["text_config"] : root;
  ArchShape s;
  if (root.contains("architectures") && root["architectures"].is_array() && !root["architectures"].empty())
    s.architecture = root["architectures"][0].get<std::string>();
  s.model_type = j.value("model_type", root.value("model_type", std::string()));
  s.vocab = require(j, "vocab_size", source);
  s.hidden = require(j, "hidden_size", source);
  s.n_layers = require(j, "num_hidden_layers", source);
  s.n_heads = require(j, "num_attention_heads", source);
  s.n_kv_heads = get_int(j, "num_key_value_heads", s.n_heads);
  s.head_dim = get_int(j, "head_dim", s.hidden / s.n_heads);
  s.max_positions = get_int(j, "max_position_embeddings", 0);
  // Tied unless the config says otherwise is transformers' default for most families.
  s.tied_embeddings = root.value("tie_word_embeddings", j.value("tie_word_embeddings", true));
  s.qk_norm = s.model_type.rfind("qwen3", 0) == 0 || s.model_type.rfind("gemma3", 0) == 0;
  s.fused_qkv = s.model_type == "phi3";
  s.attn_output_gate = j.value("attn_output_gate", false);
  s.sliding_window = get_int(j, "sliding_window", 0);

  const auto& inter = j.find("intermediate_size");
  if (inter == j.end()) throw Error(source + ": missing 'intermediate_size'");
  if (inter->is_array()) {
    for (const auto& v : *inter) s.ffn.push_back(v.get<int64_t>());
    if (static_cast<int64_t>(s.ffn.size()) != s.n_layers)
      throw Error(source + ": 'intermediate_size' has " + std::to_string(s.ffn.size()) + " entries for " +
                  std::to_string(s.n_layers) + " layers");
  } else {
    s.ffn.assign(s.n_layers, inter->get<int64_t>());
  }

  s.linear_layer.assign(s.n_layers, false);
  if (auto lt = j.find("layer_types"); lt != j.end() && lt->is_array()) {
    for (int64_t i = 0; i < s.n_layers && i < static_cast<int64_t>(lt->size()); ++i)
      s.linear_layer[i] = (*lt)[i].get<std::string>() == "linear_attention";
  }
  if (std::find(s.linear_layer.begin(), s.linear_layer.end(), true) != s.linear_layer.end()) {
    s.lin_k_heads = require(j, "linear_num_key_heads", source);
    s.lin_v_heads = require(j, "linear_num_value_heads", source);
    s.lin_k_dim = require(j, "linear_key_head_dim", source);
    s.lin_v_dim = require(j, "linear_value_head_dim", source);
    s.conv_kernel = get_int(j, "linear_conv_kernel_dim", 4);
  }
  s.per_layer_dim = get_int(j, "hidden_size_per_layer_input", 0);
  if (s.per_layer_dim > 0) {
    s.per_layer_vocab = get_int(j, "vocab_size_per_layer_input", s.vocab);
    s.laurel_rank = get_int(j, "laurel_rank", 0);
    s.kv_shared_layers = get_int(j, "num_kv_shared_layers", 0);
    s.notes.push_back("gemma3n: AltUp and the audio/vision towers are not counted");
  }
  if (s.sliding_window > 0) {
    int64_t sliding = 0;
    if (j.contains("layer_types") && j["layer_types"].is_array()) {
      for (const auto& t : j["layer_types"]) sliding += t.is_string() && t.get<std::string>() == "sliding_attention";
    } else if (const int64_t pattern = get_int(j, "sliding_window_pattern", 0); pattern > 1) {
      sliding = s.n_layers - s.n_layers / pattern;  // every pattern-th layer is global
    }
    if (sliding > 0)
      s.notes.push_back(std::to_string(sliding) + " of " + std::to_string(s.n_layers) + " layers attend within " +
                        std::to_string(s.sliding_window) +
                        " tokens; the KV figures keep every position (as slm does today), a sliding cache needs less");
  }
  if (root.contains("vision_config") && !root["vision_config"].is_null())
    s.notes.push_back("the vision tower (a separate mmproj file in GGUF) is not counted");
  return s;
}

ArchShape read_arch_shape_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw Error(path + ": not valid JSON: " + e.what());
  }
  return read_arch_shape(j, path);
}

ArchShape arch_shape_from_config(const ModelConfig& c) {
  ArchShape s;
  s.architecture = c.architecture;
  s.model_type = c.family;
  s.vocab = c.vocab_size;
  s.hidden = c.hidden_size;
  s.n_layers = c.n_layers;
  s.n_heads = c.n_heads;
  s.n_kv_heads = c.n_kv_heads;
  s.head_dim = c.head_dim;
  s.max_positions = c.max_positions;
  s.ffn.assign(c.n_layers, c.intermediate_size);
  s.linear_layer.assign(c.n_layers, false);
  s.tied_embeddings = c.tied_embeddings;
  s.qk_norm = c.qk_norm;
  return s;
}

}  // namespace slm::hub
