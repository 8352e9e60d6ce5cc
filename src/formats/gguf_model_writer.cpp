#include "formats/gguf_model_writer.h"

#include "formats/gguf_vocab_writer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <regex>

#include "base/progress.h"
#include "formats/gguf_layout.h"
#include "formats/gguf_writer.h"
#include "model/families/family.h"
#include "slm/error.h"
#include "tensor/quant/quant.h"

namespace slm {

namespace {

// llama.cpp's order: embeddings, rope factors, blocks by layer, final norm, output.
int64_t order_key(const std::string& name) {
  static const std::regex layer_re(R"(^blk\.(\d+)\.)");
  std::smatch m;
  if (std::regex_search(name, m, layer_re)) return 10 + std::stoll(m[1].str());
  if (name == "token_embd.weight") return 0;
  if (name == "rope_freqs.weight" || name.starts_with("rope_factors_")) return 1;
  if (name == "output_norm.weight") return 1LL << 40;
  return (1LL << 40) + 1;
}

// Hugging Face's rotate-half rows (i, i + d/2) -> llama.cpp's adjacent pairs (2i, 2i + 1):
// the source row that GGUF row `row` takes.
int64_t permuted_source_row(int64_t row, int64_t head_dim) {
  const int64_t head = row / head_dim, r = row % head_dim;
  return head * head_dim + (r % 2) * (head_dim / 2) + r / 2;
}

// Llama 3 frequency scaling as per-dimension divisors (GGUF keeps them as rope_freqs.weight):
// 1 for short wavelengths, `factor` for long ones, a blend between. Frequencies are computed
// in f32 and the rest in double, as llama.cpp's converter does, so the bytes match its files.
std::vector<float> llama3_rope_divisors(const ModelConfig& c) {
  const RopeScaling& rs = c.rope_scaling;
  const double low_wavelen = rs.original_max_positions / rs.low_freq_factor;
  const double high_wavelen = rs.original_max_positions / rs.high_freq_factor;
  std::vector<float> div(c.head_dim / 2);
  for (size_t i = 0; i < div.size(); ++i) {
    const float exponent = static_cast<float>(2 * i) / static_cast<float>(c.head_dim);
    const float freq = 1.0f / std::pow(static_cast<float>(c.rope_theta), exponent);
    const double wavelen = 2 * M_PI / freq;
    if (wavelen < high_wavelen) {
      div[i] = 1.0f;
    } else if (wavelen > low_wavelen) {
      div[i] = static_cast<float>(rs.factor);
    } else {
      const double smooth = (rs.original_max_positions / wavelen - rs.low_freq_factor) /
                            (rs.high_freq_factor - rs.low_freq_factor);
      div[i] = static_cast<float>(1 / ((1 - smooth) / rs.factor + smooth));
    }
  }
  return div;
}

// The layer pattern as llama.cpp hard-codes it for a family: every n-th layer global.
bool default_window_pattern(const ModelConfig& c, int n) {
  for (int64_t i = 0; i < c.n_layers; ++i)
    if ((c.layer_window[i] > 0) != ((i + 1) % n != 0)) return false;
  return true;
}

void write_hyper_parameters(GgufWriter& w, const ModelConfig& c, const Family& family, const ModelWriteOptions& o) {
  const std::string arch = c.family;
  const auto key = [&](const char* k) { return arch + "." + k; };
  const auto u32 = [&](const char* k, int64_t v) { w.set_u32(key(k), static_cast<uint32_t>(v)); };
  w.set_string("general.architecture", arch);
  if (!o.name.empty() && !(o.copy_metadata_from && o.copy_metadata_from->has("general.name")))
    w.set_string("general.name", o.name);
  w.set_u32("general.file_type", quant_scheme_file_type(o.scheme));
  w.set_u32("general.quantization_version", 2);
  u32("vocab_size", c.vocab_size);
  u32("context_length", c.max_positions);
  u32("embedding_length", c.hidden_size);
  u32("block_count", c.n_layers);
  if (!c.layer_intermediate.empty()) {  // Gemma 3n: one width per layer
    std::vector<int32_t> widths(c.layer_intermediate.begin(), c.layer_intermediate.end());
    w.set_i32_array(key("feed_forward_length"), widths);
  } else {
    u32("feed_forward_length", c.intermediate_size);
  }
  u32("attention.head_count", c.n_heads);
  u32("attention.head_count_kv", c.n_kv_heads);
  u32("attention.key_length", c.head_dim);
  u32("attention.value_length", c.head_dim);
  w.set_f32(key("attention.layer_norm_rms_epsilon"), static_cast<float>(c.norm_eps));
  w.set_f32(key("rope.freq_base"), static_cast<float>(c.rope_theta));
  u32("rope.dimension_count", c.rotary_dim());  // partial rotary: Phi-3 0.75, Qwen3.5 0.25
  if (!c.rope_sections.empty()) {
    std::vector<int32_t> sections(c.rope_sections.begin(), c.rope_sections.end());
    sections.resize(std::max<size_t>(sections.size(), 4), 0);  // llama.cpp reads four
    w.set_i32_array(key("rope.dimension_sections"), sections);
  }
  if (c.final_logit_softcap != 0) w.set_f32(key("final_logit_softcapping"), static_cast<float>(c.final_logit_softcap));

  // Sliding-window layers (Gemma 3, 3n): window, local RoPE base, and the per-layer pattern where
  // it is not the one llama.cpp assumes for the family (Gemma 3n's converter always writes it).
  const int64_t window = c.layer_window.empty() ? 0 : *std::max_element(c.layer_window.begin(), c.layer_window.end());
  if (window > 0) {
    u32("attention.sliding_window", window);
    if (c.family == "gemma3n" || family.sliding_window_pattern <= 0 || !default_window_pattern(c, family.sliding_window_pattern)) {
      std::vector<bool> flags;
      for (int64_t wnd : c.layer_window) flags.push_back(wnd > 0);
      w.set_bool_array(key("attention.sliding_window_pattern"), flags);
    }
  }
  if (c.rope_theta_local > 0) w.set_f32(key("rope.freq_base_swa"), static_cast<float>(c.rope_theta_local));

  // NoPE layers: GGUF has no key; llama.cpp (and slm's loader) fix the interval per family.
  const bool any_nope = std::find(c.layer_uses_rope.begin(), c.layer_uses_rope.end(), false) != c.layer_uses_rope.end();
  if (any_nope) {
    const int n = family.gguf_no_rope_layer_interval;
    for (int64_t i = 0; i < c.n_layers; ++i)
      if (n <= 0 || c.layer_uses_rope[i] != ((i + 1) % n != 0))
        throw Error("cannot write a GGUF for this " + c.family + " model: its NoPE layers (layer " + std::to_string(i) +
                    ") are not every " + std::to_string(n) + "th layer, the only pattern GGUF readers know");
  }

  const RopeScaling& rs = c.rope_scaling;
  if (rs.type == RopeScalingType::Linear || rs.type == RopeScalingType::Yarn) {
    w.set_string(key("rope.scaling.type"), rs.type == RopeScalingType::Linear ? "linear" : "yarn");
    w.set_f32(key("rope.scaling.factor"), static_cast<float>(rs.factor));
    if (rs.original_max_positions > 0) u32("rope.scaling.original_context_length", rs.original_max_positions);
    if (rs.type == RopeScalingType::Yarn) {
      w.set_f32(key("rope.scaling.yarn_beta_fast"), static_cast<float>(rs.beta_fast));
      w.set_f32(key("rope.scaling.yarn_beta_slow"), static_cast<float>(rs.beta_slow));
      if (rs.attention_factor) w.set_f32(key("rope.scaling.attn_factor"), static_cast<float>(*rs.attention_factor));
    }
  } else if (rs.type == RopeScalingType::LongRope) {
    // The factor lists are tensors (gguf_layout); the context ratio and attention factor are keys.
    u32("rope.scaling.original_context_length", rs.original_max_positions);
    w.set_f32(key("rope.scaling.attn_factor"), static_cast<float>(rs.attention_factor.value_or(1.0)));
  }

  // Gemma 3n: AltUp, per-layer inputs, K/V sharing, activation sparsity.
  if (c.altup.n_streams > 0) {
    u32("altup.active_idx", c.altup.active);
    u32("altup.num_inputs", c.altup.n_streams);
    u32("embedding_length_per_layer_input", c.altup.per_layer_dim);
  }
  if (!c.kv_source_layer.empty()) {
    int64_t first_shared = c.n_layers;
    for (int64_t l = 0; l < c.n_layers; ++l)
      if (c.kv_source_layer[l] != l) {
        first_shared = l;
        break;
      }
    u32("attention.shared_kv_layers", c.n_layers - first_shared);
  }
  if (!c.layer_sparsity_cutoff.empty()) {
    std::vector<float> scale;  // -inf marks a dense layer, as the converter writes it
    for (double v : c.layer_sparsity_cutoff)
      scale.push_back(v != 0 ? static_cast<float>(v) : -std::numeric_limits<float>::infinity());
    w.set_f32_array(key("activation_sparsity_scale"), scale);
  }

  // Qwen3.5: Gated DeltaNet dimensions and which layers are recurrent.
  if (std::find(c.layer_kinds.begin(), c.layer_kinds.end(), LayerKind::GatedDeltaNet) != c.layer_kinds.end()) {
    const DeltaNetConfig& d = c.delta_net;
    if (d.key_dim != d.value_dim)
      throw Error("cannot write a GGUF for this " + c.family + " model: GGUF has one ssm.state_size for key (" +
                  std::to_string(d.key_dim) + ") and value (" + std::to_string(d.value_dim) + ") head dimensions");
    u32("ssm.conv_kernel", d.conv_kernel);
    u32("ssm.state_size", d.key_dim);
    u32("ssm.group_count", d.n_key_heads);
    u32("ssm.time_step_rank", d.n_value_heads);
    u32("ssm.inner_size", d.n_value_heads * d.value_dim);
    std::vector<bool> recurrent;
    for (LayerKind k : c.layer_kinds) recurrent.push_back(k == LayerKind::GatedDeltaNet);
    w.set_bool_array(key("attention.recurrent_layers"), recurrent);
    // The interval, when the attention layers are exactly every n-th one.
    for (int64_t n = 1; n <= c.n_layers; ++n) {
      bool fits = true;
      for (int64_t i = 0; i < c.n_layers && fits; ++i) fits = recurrent[i] == ((i + 1) % n != 0);
      if (fits) {
        u32("full_attention_interval", n);
        break;
      }
    }
  }

  if (!o.copy_metadata_from && o.vocab) {
    write_gguf_vocab(w, *o.vocab);
  } else if (!o.copy_metadata_from) {
    if (c.bos_token_id) w.set_u32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(*c.bos_token_id));
    if (!c.eos_token_ids.empty()) w.set_u32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(c.eos_token_ids[0]));
  }
  if (o.chat_template && !(o.copy_metadata_from && o.copy_metadata_from->has("tokenizer.chat_template")))
    w.set_string("tokenizer.chat_template", *o.chat_template);
}

}  // namespace

ModelTensorSource weight_store_source(const WeightStore& weights) {
  ModelTensorSource s;
  std::vector<const Tensor*> tensors;
  for (const auto& name : weights.names()) {
    const Tensor* t = weights.find(name);
    if (!t || !t->data) throw Error(weights.origin(name) + ": no usable data to convert");
    s.tensors.push_back({name, t->shape});
    tensors.push_back(t);
  }
  s.read_row = [tensors](size_t i, int64_t row, float* dst) {
    const Tensor& t = *tensors[i];
    const int64_t cols = t.cols();
    const size_t row_bytes = dtype_bytes(t.dtype, static_cast<size_t>(cols));
    quant::dequantize_row(t.dtype, static_cast<const uint8_t*>(t.data) + row * row_bytes, dst, cols);
  };
  return s;
}

void write_gguf_model(const std::string& path, const ModelConfig& c, const ModelTensorSource& input,
                      const ModelWriteOptions& o, ThreadPool& pool) {
  const Family* family = find_family_gguf(c.family);
  if (!family) throw Error("cannot write a GGUF for family '" + c.family + "'");
  const ModelTensorSource source = gguf_layout_source(c, input);
  GgufWriter w;
  if (o.copy_metadata_from)
    for (const auto& [key, value] : o.copy_metadata_from->metadata())
      if (key != "general.file_type" && key != "general.quantization_version" && key != "general.alignment")
        w.set_value(key, value);
  write_hyper_parameters(w, c, *family, o);

  // The tensors to write, in llama.cpp order; Llama 3 scaling adds its rope_freqs tensor.
  std::vector<size_t> order(source.tensors.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return order_key(source.tensors[a].name) < order_key(source.tensors[b].name);
  });
  bool has_output = false, has_rope_freqs = false;
  for (const auto& t : source.tensors) {
    has_output |= t.name == "output.weight";
    has_rope_freqs |= t.name == "rope_freqs.weight";
  }
  std::vector<float> rope_divisors;
  if (!has_rope_freqs && c.rope_scaling.type == RopeScalingType::Llama3) rope_divisors = llama3_rope_divisors(c);

  struct Planned {
    size_t source_index;  // SIZE_MAX: the rope factors
    DType type;
    int64_t permute_head_dim;  // > 0: rows permuted for interleaved RoPE
  };
  std::vector<Planned> plan;
  int64_t total_values = 0;
  const auto declare = [&](const std::string& name, const std::vector<int64_t>& shape, Planned p) {
    int64_t n = 1;
    for (auto d : shape) n *= d;
    w.declare_tensor(name, static_cast<uint32_t>(dtype_info(p.type).ggml_type), shape, dtype_bytes(p.type, n));
    plan.push_back(p);
    total_values += n;
  };
  bool rope_written = rope_divisors.empty();
  for (size_t i : order) {
    const TensorSpec& t = source.tensors[i];
    if (!rope_written && order_key(t.name) > 1) {
      declare("rope_freqs.weight", {static_cast<int64_t>(rope_divisors.size())}, {SIZE_MAX, DType::F32, 0});
      rope_written = true;
    }
    const DType type = tensor_type_for(o.scheme, {t.name, t.shape, c.n_layers, has_output});
    const bool permute = family->gguf_qk_permuted && t.shape.size() == 2 &&
                         (t.name.ends_with(".attn_q.weight") || t.name.ends_with(".attn_k.weight"));
    declare(t.name, t.shape, {i, type, permute ? c.head_dim : 0});
  }
  if (!rope_written) declare("rope_freqs.weight", {static_cast<int64_t>(rope_divisors.size())}, {SIZE_MAX, DType::F32, 0});

  ProgressBar bar(total_values, o.progress);
  w.write_streaming(path, [&](size_t index, std::vector<uint8_t>& out) {
    const Planned& p = plan[index];
    if (p.source_index == SIZE_MAX) {
      out.resize(rope_divisors.size() * sizeof(float));
      std::memcpy(out.data(), rope_divisors.data(), out.size());
      bar.advance(static_cast<int64_t>(rope_divisors.size()), "rope_freqs.weight");
      return;
    }
    const TensorSpec& t = source.tensors[p.source_index];
    const int64_t cols = t.shape.back();
    int64_t rows = 1;
    for (size_t d = 0; d + 1 < t.shape.size(); ++d) rows *= t.shape[d];
    const size_t row_bytes = dtype_bytes(p.type, static_cast<size_t>(cols));
    out.resize(row_bytes * rows);
    pool.parallel_for(static_cast<size_t>(rows), [&](size_t begin, size_t end, int) {
      std::vector<float> row(cols);
      for (size_t r = begin; r < end; ++r) {
        const int64_t src_row = p.permute_head_dim ? permuted_source_row(static_cast<int64_t>(r), p.permute_head_dim)
                                                   : static_cast<int64_t>(r);
        source.read_row(p.source_index, src_row, row.data());
        quant::quantize_row(p.type, row.data(), out.data() + r * row_bytes, cols);
      }
    });
    bar.advance(rows * cols, t.name + " " + dtype_name(p.type));
  });
  bar.finish();
}

}  // namespace slm
