#include "formats/gguf_model_writer.h"

#include "formats/gguf_vocab_writer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <regex>

#include "base/progress.h"
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
  if (name == "rope_freqs.weight") return 1;
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

void write_hyper_parameters(GgufWriter& w, const ModelConfig& c, const ModelWriteOptions& o) {
  const std::string arch = c.family;
  const auto key = [&](const char* k) { return arch + "." + k; };
  w.set_string("general.architecture", arch);
  if (!o.name.empty() && !(o.copy_metadata_from && o.copy_metadata_from->has("general.name")))
    w.set_string("general.name", o.name);
  w.set_u32("general.file_type", quant_scheme_file_type(o.scheme));
  w.set_u32("general.quantization_version", 2);
  w.set_u32(key("vocab_size"), static_cast<uint32_t>(c.vocab_size));
  w.set_u32(key("context_length"), static_cast<uint32_t>(c.max_positions));
  w.set_u32(key("embedding_length"), static_cast<uint32_t>(c.hidden_size));
  w.set_u32(key("block_count"), static_cast<uint32_t>(c.n_layers));
  w.set_u32(key("feed_forward_length"), static_cast<uint32_t>(c.intermediate_size));
  w.set_u32(key("attention.head_count"), static_cast<uint32_t>(c.n_heads));
  w.set_u32(key("attention.head_count_kv"), static_cast<uint32_t>(c.n_kv_heads));
  w.set_u32(key("attention.key_length"), static_cast<uint32_t>(c.head_dim));
  w.set_u32(key("attention.value_length"), static_cast<uint32_t>(c.head_dim));
  w.set_f32(key("attention.layer_norm_rms_epsilon"), static_cast<float>(c.norm_eps));
  w.set_f32(key("rope.freq_base"), static_cast<float>(c.rope_theta));
  w.set_u32(key("rope.dimension_count"), static_cast<uint32_t>(c.head_dim));
  const RopeScaling& rs = c.rope_scaling;
  if (rs.type == RopeScalingType::Linear || rs.type == RopeScalingType::Yarn) {
    w.set_string(key("rope.scaling.type"), rs.type == RopeScalingType::Linear ? "linear" : "yarn");
    w.set_f32(key("rope.scaling.factor"), static_cast<float>(rs.factor));
    if (rs.original_max_positions > 0)
      w.set_u32(key("rope.scaling.original_context_length"), static_cast<uint32_t>(rs.original_max_positions));
    if (rs.type == RopeScalingType::Yarn) {
      w.set_f32(key("rope.scaling.yarn_beta_fast"), static_cast<float>(rs.beta_fast));
      w.set_f32(key("rope.scaling.yarn_beta_slow"), static_cast<float>(rs.beta_slow));
      if (rs.attention_factor) w.set_f32(key("rope.scaling.attn_factor"), static_cast<float>(*rs.attention_factor));
    }
  }
  if (!o.copy_metadata_from && o.vocab) {
    write_gguf_vocab(w, *o.vocab);
  } else if (!o.copy_metadata_from) {
    if (c.bos_token_id) w.set_u32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(*c.bos_token_id));
    if (!c.eos_token_ids.empty()) w.set_u32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(c.eos_token_ids[0]));
  }
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

void write_gguf_model(const std::string& path, const ModelConfig& c, const ModelTensorSource& source,
                      const ModelWriteOptions& o, ThreadPool& pool) {
  const Family* family = find_family_gguf(c.family);
  if (!family) throw Error("cannot write a GGUF for family '" + c.family + "'");
  GgufWriter w;
  if (o.copy_metadata_from)
    for (const auto& [key, value] : o.copy_metadata_from->metadata())
      if (key != "general.file_type" && key != "general.quantization_version" && key != "general.alignment")
        w.set_value(key, value);
  write_hyper_parameters(w, c, o);

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
