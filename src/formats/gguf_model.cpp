// GGUF models: hyper-parameters from "<arch>.*" metadata, tensors under llama.cpp names
// (already canonical), with llama.cpp's layout conventions undone.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "formats/fused_projections.h"
#include "formats/model_files.h"
#include "model/families/family.h"
#include "slm/error.h"

namespace slm {

// llama.cpp's converter reorders each head's Q/K rows from Hugging Face's rotate-half layout
// (pairs i, i + d/2) to adjacent pairs (2i, 2i + 1). Undo it so one RoPE serves both formats.
static std::vector<uint8_t> unpermute_rows(const Tensor& t, int64_t n_heads) {
  const int64_t rows = t.rows();
  const size_t row_bytes = t.nbytes() / rows;
  const int64_t head_dim = rows / n_heads;
  std::vector<uint8_t> out(t.nbytes());
  const auto* src = static_cast<const uint8_t*>(t.data);
  for (int64_t h = 0; h < n_heads; ++h)
    for (int64_t i = 0; i < head_dim / 2; ++i)
      for (int64_t half = 0; half < 2; ++half) {
        int64_t hf_row = h * head_dim + half * (head_dim / 2) + i;
        int64_t gguf_row = h * head_dim + 2 * i + half;
        std::memcpy(out.data() + hf_row * row_bytes, src + gguf_row * row_bytes, row_bytes);
      }
  return out;
}

// "blk.3.post_attention_norm.weight" -> "blk.3.ffn_norm.weight" where the family renames it.
static std::string canonical_gguf_name(const std::string& name, const std::map<std::string, std::string>& renames) {
  if (renames.empty() || name.rfind("blk.", 0) != 0) return name;
  const size_t a = name.find('.', 4), b = name.rfind('.');
  if (a == std::string::npos || b <= a) return name;
  auto it = renames.find(name.substr(a + 1, b - a - 1));
  return it == renames.end() ? name : name.substr(0, a + 1) + it->second + name.substr(b);
}

std::unique_ptr<ModelFiles> open_gguf(const std::string& path, Residency residency) {
  auto gguf = std::make_shared<GgufFile>(path, residency);
  auto m = std::make_unique<ModelFiles>();
  m->path = path;
  m->gguf = gguf;
  m->weights.source = path;
  ModelConfig& c = m->config;

  const std::string arch = gguf->get_string("general.architecture");
  const Family* family = find_family_gguf(arch);
  if (!family)
    throw Error(path + ": unknown architecture '" + arch + "' (general.architecture); slm supports " +
                known_families());
  c.family = family->name;
  c.architecture = arch;
  auto key = [&](const std::string& k) { return arch + "." + k; };

  c.hidden_size = gguf->get_int(key("embedding_length"));
  if (const GgufValue* ff = gguf->find(key("feed_forward_length")); ff && ff->type == GgufType::ARRAY) {
    for (int64_t v : gguf->get_int_array(key("feed_forward_length"))) c.layer_intermediate.push_back(v);
    c.intermediate_size = c.layer_intermediate.empty() ? 0 : *std::max_element(c.layer_intermediate.begin(), c.layer_intermediate.end());
  } else {
    c.intermediate_size = gguf->get_int(key("feed_forward_length"));
  }
  c.n_layers = gguf->get_int(key("block_count"));
  c.n_heads = gguf->get_int(key("attention.head_count"));
  c.n_kv_heads = gguf->int_or(key("attention.head_count_kv")).value_or(c.n_heads);
  c.head_dim = gguf->int_or(key("attention.key_length")).value_or(c.n_heads ? c.hidden_size / c.n_heads : 0);
  c.max_positions = gguf->int_or(key("context_length")).value_or(4096);
  c.norm_eps = gguf->float_or(key("attention.layer_norm_rms_epsilon")).value_or(1e-6);
  c.rope_theta = gguf->float_or(key("rope.freq_base")).value_or(10000.0);

  const auto& tensors = gguf->tensors();
  if (auto it = tensors.find("token_embd.weight"); it != tensors.end())
    c.vocab_size = gguf->int_or(key("vocab_size")).value_or(it->second.shape[0]);
  else
    throw Error(path + ": missing tensor token_embd.weight");
  c.tied_embeddings = tensors.count("output.weight") == 0;

  if (auto dims = gguf->int_or(key("rope.dimension_count")); dims && c.head_dim > 0)
    c.partial_rotary_factor = static_cast<double>(*dims) / c.head_dim;
  c.final_logit_softcap = gguf->float_or(key("final_logit_softcapping")).value_or(0.0);
  if (gguf->has(key("rope.dimension_sections")))
    for (int64_t v : gguf->get_int_array(key("rope.dimension_sections"))) c.rope_sections.push_back(static_cast<int32_t>(v));
  c.rope_theta_local = gguf->float_or(key("rope.freq_base_swa")).value_or(0.0);
  c.layer_window.assign(c.n_layers > 0 ? c.n_layers : 0, 0);
  if (family->sliding_window_pattern > 0) {
    const int64_t window = gguf->int_or(key("attention.sliding_window")).value_or(0);
    if (gguf->has(key("attention.sliding_window_pattern"))) {
      auto flags = gguf->get_int_array(key("attention.sliding_window_pattern"));
      if (static_cast<int64_t>(flags.size()) != c.n_layers)
        throw Error(path + ": " + key("attention.sliding_window_pattern") + " length differs from block_count");
      for (int64_t i = 0; i < c.n_layers; ++i) c.layer_window[i] = flags[i] ? window : 0;
    } else {
      for (int64_t i = 0; i < c.n_layers; ++i)
        c.layer_window[i] = (i + 1) % family->sliding_window_pattern != 0 ? window : 0;
    }
  }

  if (gguf->has(key("rope.scaling.type"))) {
    const std::string type = gguf->get_string(key("rope.scaling.type"));
    RopeScaling& rs = c.rope_scaling;
    rs.factor = gguf->float_or(key("rope.scaling.factor")).value_or(1.0);
    rs.original_max_positions = gguf->int_or(key("rope.scaling.original_context_length")).value_or(0);
    if (type == "linear") rs.type = RopeScalingType::Linear;
    else if (type == "yarn") {
      rs.type = RopeScalingType::Yarn;
      rs.beta_fast = gguf->float_or(key("rope.scaling.yarn_beta_fast")).value_or(32.0);
      rs.beta_slow = gguf->float_or(key("rope.scaling.yarn_beta_slow")).value_or(1.0);
      if (auto af = gguf->float_or(key("rope.scaling.attn_factor"))) rs.attention_factor = *af;
    } else if (type != "none") {
      throw Error(path + ": " + key("rope.scaling.type") + ": unsupported value '" + type + "'");
    }
  }
  // LongRoPE (Phi-3): factor lists as tensors, the attention factor as metadata.
  if (tensors.count("rope_factors_long.weight") && tensors.count("rope_factors_short.weight")) {
    RopeScaling& rs = c.rope_scaling;
    rs.type = RopeScalingType::LongRope;
    for (auto [name, out] : {std::pair{"rope_factors_long.weight", &rs.long_factors},
                             std::pair{"rope_factors_short.weight", &rs.short_factors}}) {
      const Tensor& t = tensors.at(name);
      for (int64_t i = 0; i < t.numel(); ++i) out->push_back(tensor_element(t, i));
    }
    rs.original_max_positions = gguf->int_or(key("rope.scaling.original_context_length")).value_or(c.max_positions);
    rs.factor = static_cast<double>(c.max_positions) / rs.original_max_positions;
    rs.attention_factor = gguf->float_or(key("rope.scaling.attn_factor")).value_or(1.0);
  }
  // Llama 3 frequency scaling is stored as per-dimension divisors, not metadata.
  if (auto it = tensors.find("rope_freqs.weight"); it != tensors.end()) {
    const Tensor& t = it->second;
    for (int64_t i = 0; i < t.numel(); ++i) c.rope_freq_divisors.push_back(tensor_element(t, i));
  }

  c.layer_uses_rope.assign(c.n_layers > 0 ? c.n_layers : 0, true);
  c.layer_kinds.assign(c.n_layers > 0 ? c.n_layers : 0, LayerKind::Attention);
  if (int n = family->gguf_no_rope_layer_interval; n > 0)
    for (int64_t i = 0; i < c.n_layers; ++i) c.layer_uses_rope[i] = (i + 1) % n != 0;

  if (auto v = gguf->int_or("tokenizer.ggml.bos_token_id")) c.bos_token_id = static_cast<int32_t>(*v);
  for (const char* k : {"tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"})
    if (auto v = gguf->int_or(k))
      if (std::find(c.eos_token_ids.begin(), c.eos_token_ids.end(), *v) == c.eos_token_ids.end())
        c.eos_token_ids.push_back(static_cast<int32_t>(*v));
  if (auto ft = gguf->int_or("general.file_type")) c.weights_dtype = "GGUF file type " + std::to_string(*ft);

  // Hybrid stacks: which layers are recurrent (Gated DeltaNet), and their dimensions.
  if (gguf->has(key("attention.recurrent_layers"))) {
    auto flags = gguf->get_int_array(key("attention.recurrent_layers"));
    if (static_cast<int64_t>(flags.size()) != c.n_layers)
      throw Error(path + ": " + key("attention.recurrent_layers") + " length differs from block_count");
    for (int64_t i = 0; i < c.n_layers; ++i)
      if (flags[i]) c.layer_kinds[i] = LayerKind::GatedDeltaNet;
    DeltaNetConfig& d = c.delta_net;
    d.conv_kernel = gguf->get_int(key("ssm.conv_kernel"));
    d.key_dim = d.value_dim = gguf->get_int(key("ssm.state_size"));
    d.n_key_heads = gguf->get_int(key("ssm.group_count"));
    d.n_value_heads = gguf->get_int(key("ssm.time_step_rank"));
    if (gguf->get_int(key("ssm.inner_size")) != d.n_value_heads * d.value_dim)
      throw Error(path + ": " + key("ssm.inner_size") + " differs from time_step_rank x state_size");
    d.tiled_heads = true;  // the converter reorders value heads so that head j reads key head j % groups
  }
  // Gemma 3n: AltUp, LAuReL, per-layer inputs, K/V sharing, activation sparsity.
  if (gguf->has(key("altup.num_inputs"))) {
    AltUpConfig& a = c.altup;
    a.n_streams = gguf->get_int(key("altup.num_inputs"));
    a.active = gguf->int_or(key("altup.active_idx")).value_or(0);
    a.per_layer_dim = gguf->get_int(key("embedding_length_per_layer_input"));
    if (auto it = tensors.find("blk.0.laurel_l.weight"); it != tensors.end()) a.laurel_rank = it->second.shape[0];
    if (auto it = tensors.find("per_layer_token_embd.weight"); it != tensors.end()) a.per_layer_vocab = it->second.shape[0];
    a.per_layer_layers = c.n_layers;
    if (a.active < 0 || a.active >= a.n_streams) throw Error(path + ": " + key("altup.active_idx") + " out of range");
  }
  if (gguf->has(key("activation_sparsity_scale")))
    for (double v : gguf->get_float_array(key("activation_sparsity_scale")))
      c.layer_sparsity_cutoff.push_back(std::isfinite(v) ? v : 0.0);  // -inf marks a dense layer
  if (auto shared = gguf->int_or(key("attention.shared_kv_layers")); shared && family->share_kv)
    family->share_kv(c, *shared);
  if (family->configure) family->configure(c);
  if (c.rope_scaling.type == RopeScalingType::Linear && family->sliding_window_pattern > 0)
    c.rope_scaling.global_layers_only = true;
  c.validate(path);

  for (const auto& info : gguf->tensor_infos()) {
    auto it = tensors.find(info.name);
    const std::string origin = path + ": tensor " + info.name;
    if (it == tensors.end()) {
      m->weights.put(info.name, Tensor{}, origin + " (unsupported type " + ggml_type_name(info.ggml_type) + ")");
      continue;
    }
    const Tensor& t = it->second;
    const std::string name = canonical_gguf_name(info.name, family->gguf_layer_renames);
    const bool is_q = info.name.ends_with(".attn_q.weight"), is_k = info.name.ends_with(".attn_k.weight");
    if (family->gguf_qk_permuted && (is_q || is_k)) {
      int64_t heads = is_q ? c.n_heads : c.n_kv_heads;
      if (t.shape.size() != 2 || t.rows() != heads * c.head_dim)
        throw Error(origin + ": expected " + std::to_string(heads * c.head_dim) + " rows, got shape " +
                    shape_string(t.shape));
      if (gguf->own_data()) {
        // The weights are our own copy (t.data points into it): reorder them in place instead of
        // keeping both orders.
        const auto rows = unpermute_rows(t, heads);
        std::memcpy(const_cast<void*>(t.data), rows.data(), rows.size());
        m->weights.put(name, t, origin, true);
      } else {
        m->weights.put_owned(name, t.dtype, t.shape, unpermute_rows(t, heads), origin);
      }
    } else {
      m->weights.put(name, t, origin, gguf->own_data() != nullptr);
    }
  }
  m->weights.keep_alive(gguf);
  split_fused_projections(m->weights, m->config);
  return m;
}

std::unique_ptr<ModelFiles> open_model_files(const std::string& path, Residency gguf_residency) {
  namespace fs = std::filesystem;
  if (fs::is_directory(path)) return open_hf_dir(path);
  if (!fs::exists(path)) throw Error(path + ": no such file or directory");
  return open_gguf(path, gguf_residency);
}

}  // namespace slm
