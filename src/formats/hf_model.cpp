// Hugging Face model directories: config.json, generation_config.json, (sharded) safetensors.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "base/mapped_file.h"
#include "formats/fused_projections.h"
#include "formats/model_files.h"
#include "formats/names.h"
#include "formats/safetensors.h"
#include "model/families/family.h"
#include "slm/error.h"

namespace slm {

namespace fs = std::filesystem;
using nlohmann::json;

static json parse_json_file(const std::string& path) {
  std::string text = read_text_file(path);
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw Error(path + ": invalid JSON: " + e.what());
  }
}

// A field that must be present and an integer.
static int64_t need_int(const json& j, const std::string& key, const std::string& src) {
  if (!j.contains(key) || j[key].is_null()) throw Error(src + ": missing field " + key);
  if (!j[key].is_number_integer()) throw Error(src + ": field " + key + " must be an integer");
  return j[key].get<int64_t>();
}

static double number_or(const json& j, const std::string& key, double fallback, const std::string& src) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  if (!j[key].is_number()) throw Error(src + ": field " + key + " must be a number");
  return j[key].get<double>();
}

static void add_token_ids(const json& v, std::vector<int32_t>& out) {
  auto add = [&](int32_t id) {
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  };
  if (v.is_number_integer()) add(v.get<int32_t>());
  if (v.is_array())
    for (const auto& e : v)
      if (e.is_number_integer()) add(e.get<int32_t>());
}

// rope_scaling, or (newer configs) rope_parameters, which also holds rope_theta.
static RopeScaling parse_rope_scaling(const json& j, const std::string& src) {
  RopeScaling rs;
  const char* key = j.contains("rope_scaling") && !j["rope_scaling"].is_null() ? "rope_scaling"
                    : j.contains("rope_parameters") && !j["rope_parameters"].is_null() ? "rope_parameters"
                                                                                        : nullptr;
  if (!key) return rs;
  const json& r = j[key];
  if (!r.is_object()) throw Error(src + ": rope_scaling must be an object or null");
  std::string type = r.value("rope_type", r.value("type", std::string("default")));
  const std::string ctx = src + ": rope_scaling";
  if (type == "default") return rs;
  rs.factor = number_or(r, "factor", 1.0, ctx);
  rs.original_max_positions =
      static_cast<int64_t>(number_or(r, "original_max_position_embeddings", 0, ctx));
  if (type == "linear") {
    rs.type = RopeScalingType::Linear;
  } else if (type == "llama3") {
    rs.type = RopeScalingType::Llama3;
    rs.low_freq_factor = number_or(r, "low_freq_factor", 1.0, ctx);
    rs.high_freq_factor = number_or(r, "high_freq_factor", 4.0, ctx);
    if (rs.original_max_positions <= 0) throw Error(ctx + ": llama3 scaling needs original_max_position_embeddings");
  } else if (type == "yarn") {
    rs.type = RopeScalingType::Yarn;
    rs.beta_fast = number_or(r, "beta_fast", 32.0, ctx);
    rs.beta_slow = number_or(r, "beta_slow", 1.0, ctx);
    if (r.contains("attention_factor") && !r["attention_factor"].is_null())
      rs.attention_factor = number_or(r, "attention_factor", 1.0, ctx);
  } else if (type == "longrope") {
    rs.type = RopeScalingType::LongRope;
    auto factors = [&](const char* key) {
      std::vector<float> out;
      if (!r.contains(key) || !r[key].is_array()) throw Error(ctx + ": longrope needs " + key);
      for (const auto& v : r[key]) out.push_back(v.get<float>());
      return out;
    };
    rs.short_factors = factors("short_factor");
    rs.long_factors = factors("long_factor");
    if (r.contains("attention_factor") && !r["attention_factor"].is_null())
      rs.attention_factor = number_or(r, "attention_factor", 1.0, ctx);
  } else {
    throw Error(ctx + ": unsupported rope type '" + type + "'");
  }
  return rs;
}

ModelConfig read_hf_config(const std::string& path) {
  json outer = parse_json_file(path);
  if (!outer.is_object()) throw Error(path + ": expected a JSON object");
  std::string model_type = outer.value("model_type", std::string());
  std::vector<std::string> archs;
  if (outer.contains("architectures") && outer["architectures"].is_array())
    for (const auto& a : outer["architectures"])
      if (a.is_string()) archs.push_back(a.get<std::string>());
  // Multimodal configs keep the language model's hyper-parameters in text_config.
  const json& j = outer.contains("text_config") && outer["text_config"].is_object() ? outer["text_config"] : outer;
  ModelConfig c;
  const Family* family = find_family_hf(model_type, archs);
  if (!family)
    throw Error(path + ": unknown architecture '" + (archs.empty() ? std::string("?") : archs[0]) +
                "' (model_type '" + model_type + "'); slm supports " + known_families());
  c.family = family->name;
  c.architecture = archs.empty() ? model_type : archs[0];

  c.vocab_size = need_int(j, "vocab_size", path);
  c.hidden_size = need_int(j, "hidden_size", path);
  if (j.contains("intermediate_size") && j["intermediate_size"].is_array()) {  // per layer (Gemma 3n)
    for (const auto& v : j["intermediate_size"]) {
      if (!v.is_number_integer()) throw Error(path + ": intermediate_size entries must be integers");
      c.layer_intermediate.push_back(v.get<int64_t>());
    }
    c.intermediate_size = c.layer_intermediate.empty() ? 0 : *std::max_element(c.layer_intermediate.begin(), c.layer_intermediate.end());
  } else {
    c.intermediate_size = need_int(j, "intermediate_size", path);
  }
  c.n_layers = need_int(j, "num_hidden_layers", path);
  c.n_heads = need_int(j, "num_attention_heads", path);
  c.n_kv_heads = j.contains("num_key_value_heads") && !j["num_key_value_heads"].is_null()
                     ? need_int(j, "num_key_value_heads", path)
                     : c.n_heads;
  c.head_dim = j.contains("head_dim") && !j["head_dim"].is_null() ? need_int(j, "head_dim", path)
                                                                   : (c.n_heads ? c.hidden_size / c.n_heads : 0);
  c.max_positions = j.contains("max_position_embeddings") ? need_int(j, "max_position_embeddings", path) : 4096;
  c.norm_eps = number_or(j, "rms_norm_eps", 1e-6, path);
  const json rope_params = j.contains("rope_parameters") && j["rope_parameters"].is_object() ? j["rope_parameters"]
                                                                                          : json::object();
  c.rope_theta = number_or(j, "rope_theta", number_or(rope_params, "rope_theta", 10000.0, path), path);
  c.rope_scaling = parse_rope_scaling(j, path);
  c.partial_rotary_factor =
      number_or(j, "partial_rotary_factor", number_or(rope_params, "partial_rotary_factor", 1.0, path), path);
  for (const json* r : {&rope_params, j.contains("rope_scaling") ? &j["rope_scaling"] : nullptr})
    if (r && r->is_object() && r->contains("mrope_section") && (*r)["mrope_section"].is_array() && c.rope_sections.empty())
      for (const auto& v : (*r)["mrope_section"]) {
        if (!v.is_number_integer()) throw Error(path + ": mrope_section entries must be integers");
        c.rope_sections.push_back(v.get<int32_t>());
      }
  if (c.rope_scaling.type == RopeScalingType::LongRope) {
    RopeScaling& rs = c.rope_scaling;
    if (rs.original_max_positions <= 0 && j.contains("original_max_position_embeddings"))
      rs.original_max_positions = need_int(j, "original_max_position_embeddings", path);
    if (rs.original_max_positions <= 0) throw Error(path + ": longrope needs original_max_position_embeddings");
    rs.factor = static_cast<double>(c.max_positions) / rs.original_max_positions;
    if (!rs.attention_factor)
      rs.attention_factor =
          rs.factor <= 1 ? 1.0 : std::sqrt(1 + std::log(rs.factor) / std::log(double(rs.original_max_positions)));
  }
  if (j.contains("query_pre_attn_scalar") && j["query_pre_attn_scalar"].is_number())
    c.attention_scale = 1.0 / std::sqrt(j["query_pre_attn_scalar"].get<double>());
  c.final_logit_softcap = number_or(j, "final_logit_softcapping", 0.0, path);
  if (number_or(j, "attn_logit_softcapping", 0.0, path) != 0)
    throw Error(path + ": attn_logit_softcapping is not supported");
  c.rope_theta_local = number_or(j, "rope_local_base_freq", 0.0, path);

  // Sliding-window layers: explicit layer_types, else every n-th layer global.
  c.layer_window.assign(c.n_layers > 0 ? c.n_layers : 0, 0);
  if (family->sliding_window_pattern > 0) {
    const int64_t window = j.contains("sliding_window") && j["sliding_window"].is_number_integer()
                               ? j["sliding_window"].get<int64_t>() : 0;
    if (j.contains("layer_types") && j["layer_types"].is_array()) {
      const json& lt = j["layer_types"];
      if (static_cast<int64_t>(lt.size()) != c.n_layers) throw Error(path + ": layer_types length differs from num_hidden_layers");
      for (int64_t i = 0; i < c.n_layers; ++i) c.layer_window[i] = lt[i] == "sliding_attention" ? window : 0;
    } else {
      const int64_t pattern = j.contains("sliding_window_pattern") && j["sliding_window_pattern"].is_number_integer()
                                  ? j["sliding_window_pattern"].get<int64_t>() : family->sliding_window_pattern;
      for (int64_t i = 0; i < c.n_layers; ++i) c.layer_window[i] = (i + 1) % pattern != 0 ? window : 0;
    }
  }
  c.norm_weight_offset = family->hf_norm_weight_offset;

  // Gemma 3n: AltUp, LAuReL, per-layer inputs, K/V sharing, activation sparsity.
  if (j.contains("altup_num_inputs")) {
    AltUpConfig& a = c.altup;
    a.n_streams = need_int(j, "altup_num_inputs", path);
    a.active = j.contains("altup_active_idx") ? need_int(j, "altup_active_idx", path) : 0;
    a.laurel_rank = need_int(j, "laurel_rank", path);
    a.per_layer_dim = need_int(j, "hidden_size_per_layer_input", path);
    a.per_layer_vocab = need_int(j, "vocab_size_per_layer_input", path);
    a.per_layer_layers = c.n_layers;
    if (a.active < 0 || a.active >= a.n_streams) throw Error(path + ": altup_active_idx out of range");
  }
  if (j.contains("activation_sparsity_pattern") && j["activation_sparsity_pattern"].is_array()) {
    for (const auto& v : j["activation_sparsity_pattern"]) {
      const double p = v.get<double>();
      if (p < 0 || p >= 1) throw Error(path + ": activation_sparsity_pattern values must be in [0, 1)");
      c.layer_sparsity_cutoff.push_back(p > 0 ? normal_quantile(p) : 0.0);
    }
  }
  if (j.contains("num_kv_shared_layers") && family->share_kv)
    family->share_kv(c, need_int(j, "num_kv_shared_layers", path));

  // Hybrid stacks: linear-attention (Gated DeltaNet) layers by layer_types or an interval.
  c.layer_kinds.assign(c.n_layers > 0 ? c.n_layers : 0, LayerKind::Attention);
  if (j.contains("linear_num_value_heads")) {
    DeltaNetConfig& d = c.delta_net;
    d.n_key_heads = need_int(j, "linear_num_key_heads", path);
    d.n_value_heads = need_int(j, "linear_num_value_heads", path);
    d.key_dim = need_int(j, "linear_key_head_dim", path);
    d.value_dim = need_int(j, "linear_value_head_dim", path);
    d.conv_kernel = need_int(j, "linear_conv_kernel_dim", path);
    if (j.contains("layer_types") && j["layer_types"].is_array()) {
      const json& lt = j["layer_types"];
      if (static_cast<int64_t>(lt.size()) != c.n_layers)
        throw Error(path + ": layer_types length differs from num_hidden_layers");
      for (int64_t i = 0; i < c.n_layers; ++i)
        if (lt[i] == "linear_attention") c.layer_kinds[i] = LayerKind::GatedDeltaNet;
    } else {
      const int64_t interval = need_int(j, "full_attention_interval", path);
      for (int64_t i = 0; i < c.n_layers; ++i)
        if (interval > 0 && (i + 1) % interval != 0) c.layer_kinds[i] = LayerKind::GatedDeltaNet;
    }
  }
  c.tied_embeddings = j.value("tie_word_embeddings", outer.value("tie_word_embeddings", family->name == "gemma3"));
  c.weights_dtype = j.value("torch_dtype", outer.value("torch_dtype", std::string()));
  if (j.contains("bos_token_id") && j["bos_token_id"].is_number_integer())
    c.bos_token_id = j["bos_token_id"].get<int32_t>();
  if (j.contains("eos_token_id")) add_token_ids(j["eos_token_id"], c.eos_token_ids);

  // NoPE layers: an explicit per-layer list (1 = RoPE), else every n-th layer.
  c.layer_uses_rope.assign(c.n_layers > 0 ? c.n_layers : 0, true);
  if (j.contains("no_rope_layers") && j["no_rope_layers"].is_array()) {
    const json& l = j["no_rope_layers"];
    if (static_cast<int64_t>(l.size()) != c.n_layers)
      throw Error(path + ": no_rope_layers has " + std::to_string(l.size()) + " entries for " +
                  std::to_string(c.n_layers) + " layers");
    for (size_t i = 0; i < l.size(); ++i) c.layer_uses_rope[i] = l[i].get<int>() != 0;
  } else if (j.contains("no_rope_layer_interval") && j["no_rope_layer_interval"].is_number_integer()) {
    int64_t n = j["no_rope_layer_interval"].get<int64_t>();
    for (int64_t i = 0; n > 0 && i < c.n_layers; ++i) c.layer_uses_rope[i] = (i + 1) % n != 0;
  }
  if (family->configure) family->configure(c);
  if (j.value("attention_bias", false)) c.qkv_bias = true;
  if (j.contains("attn_output_gate") && j["attn_output_gate"].is_boolean()) c.attn_output_gate = j["attn_output_gate"];
  c.validate(path);
  return c;
}

std::unique_ptr<ModelFiles> open_hf_dir(const std::string& dir) {
  const std::string config_path = (fs::path(dir) / "config.json").string();
  if (!fs::exists(config_path))
    throw Error(dir + ": no config.json (not a Hugging Face model directory)");
  auto m = std::make_unique<ModelFiles>();
  m->path = dir;
  m->hf_dir = dir;
  m->config = read_hf_config(config_path);
  m->weights.source = dir;
  m->weights.hf_names = true;

  const std::string gen_path = (fs::path(dir) / "generation_config.json").string();
  if (fs::exists(gen_path)) {
    json g = parse_json_file(gen_path);
    if (g.is_object() && g.contains("eos_token_id")) add_token_ids(g["eos_token_id"], m->config.eos_token_ids);
  }

  std::vector<std::string> shard_files;
  const fs::path single = fs::path(dir) / "model.safetensors";
  const fs::path index = fs::path(dir) / "model.safetensors.index.json";
  if (fs::exists(single)) {
    shard_files.push_back(single.string());
  } else if (fs::exists(index)) {
    json idx = parse_json_file(index.string());
    if (!idx.contains("weight_map") || !idx["weight_map"].is_object())
      throw Error(index.string() + ": missing weight_map");
    std::set<std::string> files;
    for (const auto& [name, file] : idx["weight_map"].items()) {
      if (!file.is_string()) throw Error(index.string() + ": weight_map." + name + " must be a file name");
      std::string f = file.get<std::string>();
      if (f.find('/') != std::string::npos || f == "..")
        throw Error(index.string() + ": weight_map." + name + ": shard '" + f + "' is not a file in the directory");
      files.insert(f);
    }
    for (const auto& f : files) shard_files.push_back((fs::path(dir) / f).string());
  } else {
    throw Error(dir + ": no model.safetensors or model.safetensors.index.json");
  }

  for (const auto& file : shard_files) {
    auto st = std::make_shared<SafetensorsFile>(file);
    const std::string short_name = fs::path(file).filename().string();
    const Family* family = find_family_by_name(m->config.family);
    for (const auto& [name, tensor] : st->tensors()) {
      auto canonical = canonical_name_from_hf(name, family->hf_layer_renames);
      if (canonical) m->weights.put(*canonical, tensor, short_name + ": tensor " + name);
    }
    m->weights.keep_alive(st);
  }
  split_fused_projections(m->weights, m->config);
  return m;
}

}  // namespace slm
