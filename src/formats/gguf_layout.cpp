#include "formats/gguf_layout.h"

#include <cmath>
#include <map>
#include <memory>
#include <set>

#include "model/families/family.h"
#include "slm/error.h"

namespace slm {

namespace {

using RowReader = std::function<void(int64_t row, float* dst)>;

struct Output {
  TensorSpec spec;
  RowReader read;
};

// Norms the model computes as x * (1 + w): GGUF stores 1 + w (the DeltaNet ssm_norm is plain).
bool is_offset_norm(const std::string& name) {
  static const char* const suffixes[] = {"attn_norm.weight",        "ffn_norm.weight",        "post_attention_norm.weight",
                                         "post_ffw_norm.weight",    "attn_q_norm.weight",     "attn_k_norm.weight",
                                         "output_norm.weight",      "altup_router_norm.weight", "laurel_post_norm.weight",
                                         "per_layer_proj_norm.weight", "post_norm.weight"};
  for (const char* s : suffixes)
    if (name == s || name.ends_with(std::string(".") + s)) return true;
  return false;
}

class Builder {
 public:
  Builder(const ModelConfig& c, const ModelTensorSource& in)
      : c_(c), src_(std::make_shared<ModelTensorSource>(in)) {
    for (size_t i = 0; i < in.tensors.size(); ++i) index_[in.tensors[i].name] = i;
  }

  bool has(const std::string& name) const { return index_.count(name) && !consumed_.count(name); }
  const TensorSpec& spec(const std::string& name) const { return src_->tensors[index_.at(name)]; }
  void consume(const std::string& name) { consumed_.insert(name); }

  RowReader reader(const std::string& name) const {
    const size_t i = index_.at(name);
    auto src = src_;
    return [src, i](int64_t row, float* dst) { src->read_row(i, row, dst); };
  }

  // Emitted where the first input tensor it replaces was, so the writer's order stays llama.cpp's.
  void emit(const std::string& anchor, Output out) { extra_[anchor].push_back(std::move(out)); }

  // Rows of several tensors one after another (Phi-3's qkv and gate|up).
  void concat_rows(const std::string& out_name, const std::vector<std::string>& parts) {
    std::vector<std::pair<RowReader, int64_t>> readers;
    int64_t rows = 0;
    const int64_t cols = spec(parts[0]).shape.back();
    for (const auto& p : parts) {
      if (spec(p).shape.size() != 2 || spec(p).shape.back() != cols)
        throw Error("tensor " + p + ": cannot fuse shape into " + out_name);
      readers.emplace_back(reader(p), spec(p).shape[0]);
      rows += spec(p).shape[0];
    }
    emit(parts[0], {{out_name, {rows, cols}}, [readers](int64_t row, float* dst) {
                      for (const auto& [read, n] : readers) {
                        if (row < n) return read(row, dst);
                        row -= n;
                      }
                    }});
    for (const auto& p : parts) consume(p);
  }

  ModelTensorSource finish(const std::map<std::string, std::string>& renames, double norm_offset,
                           std::vector<Output> front) {
    std::vector<Output> outs = std::move(front);
    for (size_t i = 0; i < src_->tensors.size(); ++i) {
      const TensorSpec& t = src_->tensors[i];
      for (auto& o : extra_[t.name]) outs.push_back(std::move(o));
      if (consumed_.count(t.name)) continue;
      Output o{t, reader(t.name)};
      if (auto r = replaced_.find(t.name); r != replaced_.end()) o = r->second;
      outs.push_back(std::move(o));
    }
    ModelTensorSource s;
    std::vector<RowReader> readers;
    for (auto& o : outs) {
      std::string name = rename_layer_module(o.spec.name, renames);
      RowReader read = o.read;
      if (norm_offset != 0 && is_offset_norm(o.spec.name)) {
        const int64_t cols = o.spec.shape.back();
        read = [read, cols, norm_offset](int64_t row, float* dst) {
          read(row, dst);
          for (int64_t k = 0; k < cols; ++k) dst[k] = static_cast<float>(dst[k] + norm_offset);
        };
      }
      s.tensors.push_back({name, o.spec.shape});
      readers.push_back(std::move(read));
    }
    s.read_row = [readers = std::move(readers)](size_t i, int64_t row, float* dst) { readers[i](row, dst); };
    return s;
  }

  // Replaces a tensor in place (same position) by a transformed version.
  void replace(const std::string& name, Output out) { replaced_[name] = std::move(out); }

 private:
  // "blk.3.ffn_norm.weight" -> "blk.3.post_attention_norm.weight" where the family's GGUF names differ.
  static std::string rename_layer_module(const std::string& name, const std::map<std::string, std::string>& renames) {
    if (renames.empty() || !name.starts_with("blk.")) return name;
    const size_t a = name.find('.', 4), b = name.rfind('.');
    if (a == std::string::npos || b <= a) return name;
    const std::string module = name.substr(a + 1, b - a - 1);
    for (const auto& [gguf_name, canonical] : renames)
      if (canonical == module) return name.substr(0, a + 1) + gguf_name + name.substr(b);
    return name;
  }

  const ModelConfig& c_;
  std::shared_ptr<ModelTensorSource> src_;
  std::map<std::string, size_t> index_;
  std::set<std::string> consumed_;
  std::map<std::string, std::vector<Output>> extra_;
  std::map<std::string, Output> replaced_;
};

// Phi-3: llama.cpp reads qkv fused (rows q | k | v) and gate|up fused under ffn_up.
void fuse_phi3(Builder& b, const ModelConfig& c) {
  for (int64_t l = 0; l < c.n_layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    if (b.has(p + "attn_q.weight") && b.has(p + "attn_k.weight") && b.has(p + "attn_v.weight")) {
      if (b.has(p + "attn_qkv.weight")) b.consume(p + "attn_qkv.weight");
      b.concat_rows(p + "attn_qkv.weight", {p + "attn_q.weight", p + "attn_k.weight", p + "attn_v.weight"});
    }
    if (b.has(p + "ffn_gate.weight") && b.has(p + "ffn_up.weight")) {
      if (b.has(p + "ffn_gate_up.weight")) b.consume(p + "ffn_gate_up.weight");
      b.concat_rows(p + "ffn_up.weight", {p + "ffn_gate.weight", p + "ffn_up.weight"});
    }
  }
}

// Gemma 3n: the AltUp matrices as one [n, H, H] tensor; the per-layer table padded to the vocabulary.
void gemma3n_layout(Builder& b, const ModelConfig& c) {
  for (const std::string stacked : {"altup_proj", "altup_unembd_proj"}) {
    std::vector<std::string> parts;
    for (int i = 0; b.has(stacked + "." + std::to_string(i) + ".weight"); ++i) parts.push_back(stacked + "." + std::to_string(i) + ".weight");
    if (parts.empty()) continue;
    if (b.has(stacked + ".weight")) {  // a GGUF input: the stacked original is still there
      for (const auto& p : parts) b.consume(p);
      continue;
    }
    const std::vector<int64_t> m = b.spec(parts[0]).shape;
    std::vector<RowReader> readers;
    for (const auto& p : parts) readers.push_back(b.reader(p));
    const int64_t rows = m[0];
    b.emit(parts[0], {{stacked + ".weight", {static_cast<int64_t>(parts.size()), m[0], m[1]}},
                      [readers, rows](int64_t row, float* dst) { readers[row / rows](row % rows, dst); }});
    for (const auto& p : parts) b.consume(p);
  }
  const std::string ple = "per_layer_token_embd.weight";
  if (b.has(ple) && b.spec(ple).shape.size() == 2 && b.spec(ple).shape[0] < c.vocab_size) {
    const int64_t have = b.spec(ple).shape[0], cols = b.spec(ple).shape[1];
    RowReader read = b.reader(ple);
    // The converter pads with zero rows; slm's Hugging Face path maps those ids to row 0, also zero.
    b.replace(ple, {{ple, {c.vocab_size, cols}}, [read, have, cols](int64_t row, float* dst) {
                      if (row < have) return read(row, dst);
                      std::fill(dst, dst + cols, 0.0f);
                    }});
  }
}

// Qwen3.5 Gated DeltaNet: GGUF names and value heads in tiled order (head j pairs with key head
// j % n_key_heads), unless the input already has that order.
void qwen35_layout(Builder& b, const ModelConfig& c) {
  const DeltaNetConfig& d = c.delta_net;
  const int64_t Hk = d.n_key_heads, Hv = d.n_value_heads, dv = d.value_dim, qk = 2 * Hk * d.key_dim;
  if (Hk <= 0 || Hv % Hk != 0) return;
  const int64_t group = Hv / Hk;
  const bool reorder = !d.tiled_heads && Hk != Hv;
  // The grouped-order head that tiled-order head h holds.
  const auto head = [=](int64_t h) { return reorder ? (h % Hk) * group + h / Hk : h; };
  const auto channel = [=](int64_t ch) {  // a row of the q | k | v projection or the conv
    if (ch < qk) return ch;
    const int64_t v = ch - qk;
    return qk + head(v / dv) * dv + v % dv;
  };
  for (int64_t l = 0; l < c.n_layers; ++l) {
    if (c.layer_kinds[l] != LayerKind::GatedDeltaNet) continue;
    const std::string p = "blk." + std::to_string(l) + ".";
    const auto rows_mapped = [&](const std::string& name, std::function<int64_t(int64_t)> map, std::vector<int64_t> shape) {
      if (!b.has(name)) return;
      RowReader read = b.reader(name);
      b.replace(name, {{name, shape}, [read, map](int64_t row, float* dst) { read(map(row), dst); }});
    };
    const auto entries_mapped = [&](const std::string& name, const std::string& out_name, bool neg_exp) {
      if (!b.has(name)) return;
      RowReader read = b.reader(name);
      auto out = Output{{out_name, {Hv}}, [read, head, Hv, neg_exp](int64_t, float* dst) {
                          std::vector<float> v(Hv);
                          read(0, v.data());
                          for (int64_t h = 0; h < Hv; ++h) dst[h] = neg_exp ? -std::exp(v[head(h)]) : v[head(h)];
                        }};
      if (out_name == name) {
        b.replace(name, std::move(out));
      } else {
        b.emit(name, std::move(out));
        b.consume(name);
      }
    };
    rows_mapped(p + "attn_qkv.weight", channel, b.has(p + "attn_qkv.weight") ? b.spec(p + "attn_qkv.weight").shape : std::vector<int64_t>{});
    if (b.has(p + "ssm_conv1d.weight")) {
      const auto& s = b.spec(p + "ssm_conv1d.weight").shape;  // [C, 1, K] in Hugging Face files
      rows_mapped(p + "ssm_conv1d.weight", channel, {s.front(), s.back()});
    }
    const auto by_head_block = [=](int64_t row) { return head(row / dv) * dv + row % dv; };
    if (b.has(p + "attn_gate.weight")) rows_mapped(p + "attn_gate.weight", by_head_block, b.spec(p + "attn_gate.weight").shape);
    for (const char* n : {"ssm_beta.weight", "ssm_alpha.weight"})
      if (b.has(p + n)) rows_mapped(p + n, head, b.spec(p + n).shape);
    entries_mapped(p + "ssm_dt.bias", p + "ssm_dt.bias", false);
    entries_mapped(p + "ssm_a", p + "ssm_a", false);
    entries_mapped(p + "ssm_a_log", p + "ssm_a", true);  // GGUF stores A = -exp(A_log)
    if (b.has(p + "ssm_out.weight") && reorder) {
      const auto shape = b.spec(p + "ssm_out.weight").shape;
      const int64_t cols = shape.back();
      RowReader read = b.reader(p + "ssm_out.weight");
      b.replace(p + "ssm_out.weight", {{p + "ssm_out.weight", shape}, [=](int64_t row, float* dst) {
                                          std::vector<float> src(cols);
                                          read(row, src.data());
                                          for (int64_t k = 0; k < cols; ++k) dst[k] = src[by_head_block(k)];
                                        }});
    }
  }
}

Output constant_vector(const std::string& name, std::vector<float> values) {
  const int64_t n = static_cast<int64_t>(values.size());
  return {{name, {n}}, [values = std::move(values)](int64_t, float* dst) { std::copy(values.begin(), values.end(), dst); }};
}

}  // namespace

ModelTensorSource gguf_layout_source(const ModelConfig& c, const ModelTensorSource& in) {
  const Family* family = find_family_by_name(c.family);
  if (!family) throw Error("cannot write a GGUF for family '" + c.family + "'");
  Builder b(c, in);
  if (c.family == "phi3") fuse_phi3(b, c);
  if (c.altup.n_streams > 0) gemma3n_layout(b, c);
  if (!c.layer_kinds.empty() && std::any_of(c.layer_kinds.begin(), c.layer_kinds.end(),
                                            [](LayerKind k) { return k == LayerKind::GatedDeltaNet; }))
    qwen35_layout(b, c);
  // LongRoPE factor lists travel as tensors (llama.cpp reads them per frequency).
  std::vector<Output> front;
  const RopeScaling& rs = c.rope_scaling;
  if (rs.type == RopeScalingType::LongRope && !b.has("rope_factors_long.weight")) {
    front.push_back(constant_vector("rope_factors_long.weight", rs.long_factors));
    front.push_back(constant_vector("rope_factors_short.weight", rs.short_factors));
  }
  return b.finish(family->gguf_layer_renames, c.norm_weight_offset, std::move(front));
}

}  // namespace slm
