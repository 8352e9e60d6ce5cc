#include "hub/fit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/memory_usage.h"
#include "hub/progress.h"
#include "slm/error.h"

namespace slm::hub {
namespace {

// ggml storage types: elements per block and bytes per block.
struct TypeInfo {
  const char* name;
  int64_t block;
  int64_t block_bytes;
};
enum Type { F32, F16, Q8_0, Q6_K, Q5_K, Q4_K, Q5_1, Q5_0, Q4_0, kTypes };
constexpr TypeInfo kType[kTypes] = {{"F32", 1, 4},    {"F16", 1, 2},    {"Q8_0", 32, 34},
                                    {"Q6_K", 256, 210}, {"Q5_K", 256, 176}, {"Q4_K", 256, 144},
                                    {"Q5_1", 32, 24},  {"Q5_0", 32, 22},  {"Q4_0", 32, 18}};

// Tensor roles that llama.cpp's mix treats specially.
enum class Role { Embedding, Output, AttnV, AttnQkv, FfnDown, Other, Vector };

struct Tensor {
  Role role;
  int64_t cols;  // ne0: the row length, which must be a multiple of the block size
  int64_t rows;
  int layer;     // -1 for global tensors
  int v_index;   // position among attn_v tensors (for use_more_bits)
};

std::vector<Tensor> tensors_of(const ArchShape& s) {
  std::vector<Tensor> t;
  const int64_t H = s.hidden, hd = s.head_dim;
  t.push_back({s.tied_embeddings ? Role::Output : Role::Embedding, H, s.vocab, -1, 0});
  if (!s.tied_embeddings) t.push_back({Role::Output, H, s.vocab, -1, 0});
  t.push_back({Role::Vector, H, 1, -1, 0});  // output norm
  if (s.per_layer_dim > 0) {
    t.push_back({Role::Other, s.per_layer_dim * s.n_layers, s.per_layer_vocab, -1, 0});  // per-layer token embeddings
    t.push_back({Role::Other, H, s.per_layer_dim * s.n_layers, -1, 0});                 // their projection
  }
  int v_index = 0;
  for (int i = 0; i < static_cast<int>(s.n_layers); ++i) {
    t.push_back({Role::Vector, H, 2, i, 0});  // input / post-attention norms
    if (s.linear_layer[i]) {
      const int64_t key = s.lin_k_heads * s.lin_k_dim, value = s.lin_v_heads * s.lin_v_dim;
      t.push_back({Role::AttnQkv, H, 2 * key + value, i, 0});         // in_proj_qkv
      t.push_back({Role::Other, H, value, i, 0});                      // in_proj_z (gate)
      t.push_back({Role::Other, H, 2 * s.lin_v_heads, i, 0});          // in_proj_b, in_proj_a
      t.push_back({Role::Other, value, H, i, 0});                      // out_proj
      t.push_back({Role::Vector, s.conv_kernel, 2 * key + value, i, 0});  // conv1d stays f32
      t.push_back({Role::Vector, s.lin_v_dim + 2 * s.lin_v_heads, 1, i, 0});
    } else {
      const int64_t q = s.n_heads * hd * (s.attn_output_gate ? 2 : 1), kv = s.n_kv_heads * hd;
      if (s.fused_qkv) {
        t.push_back({Role::AttnQkv, H, q + 2 * kv, i, 0});
      } else {
        t.push_back({Role::Other, H, q, i, 0});
        t.push_back({Role::Other, H, kv, i, 0});
        t.push_back({Role::AttnV, H, kv, i, v_index++});
      }
      t.push_back({Role::Other, s.n_heads * hd, H, i, 0});
      if (s.qk_norm) t.push_back({Role::Vector, hd, 2, i, 0});
    }
    const int64_t ffn = s.ffn[i];
    if (s.fused_qkv) {
      t.push_back({Role::Other, H, 2 * ffn, i, 0});  // gate and up in one
    } else {
      t.push_back({Role::Other, H, ffn, i, 0});
      t.push_back({Role::Other, H, ffn, i, 0});
    }
    t.push_back({Role::FfnDown, ffn, H, i, 0});
    if (s.per_layer_dim > 0) {
      t.push_back({Role::Other, H, s.per_layer_dim, i, 0});  // per-layer input gate
      t.push_back({Role::Other, s.per_layer_dim, H, i, 0});  // per-layer projection
      if (s.laurel_rank > 0) {
        t.push_back({Role::Other, H, s.laurel_rank, i, 0});
        t.push_back({Role::Other, s.laurel_rank, H, i, 0});
      }
    }
  }
  return t;
}

// llama.cpp's use_more_bits: the first and last eighth of the layers, and every third between.
bool more_bits(int i, int n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

Type base_type(const std::string& mix) {
  if (mix == "F16") return F16;
  if (mix == "Q8_0") return Q8_0;
  if (mix == "Q6_K") return Q6_K;
  if (mix == "Q5_K_M") return Q5_K;
  if (mix == "Q4_K_M") return Q4_K;
  if (mix == "Q4_0") return Q4_0;
  throw Error("unknown quantization '" + mix + "' (known: F16 Q8_0 Q6_K Q5_K_M Q4_K_M Q4_0)");
}

Type type_for(const Tensor& t, const std::string& mix, const ArchShape& s, int n_attn_v) {
  if (t.role == Role::Vector) return F32;
  const Type base = base_type(mix);
  if (base == F16) return F16;  // converted, not quantized: every matrix f16
  const bool k_mix = mix == "Q4_K_M" || mix == "Q5_K_M";
  Type type = base;
  switch (t.role) {
    case Role::Output:
      if (t.cols % kType[base].block != 0) type = Q8_0;
      else if (base != Q8_0) type = Q6_K;
      break;
    case Role::AttnV:
      if (k_mix && more_bits(t.v_index, n_attn_v)) type = Q6_K;
      break;
    case Role::AttnQkv:
      if (mix == "Q4_K_M") type = Q5_K;
      else if (mix == "Q5_K_M") type = Q6_K;
      break;
    case Role::FfnDown:
      if (k_mix && more_bits(t.layer, static_cast<int>(s.n_layers))) type = Q6_K;
      break;
    default:
      break;
  }
  // Rows that are not a whole number of 256-blocks fall back to a 32-block type, then to f16.
  if (t.cols % kType[type].block != 0) {
    if (type == Q4_K) type = Q5_0;
    else if (type == Q5_K) type = Q5_1;
    else if (type == Q6_K) type = Q8_0;
  }
  if (t.cols % kType[type].block != 0) type = F16;
  return type;
}

std::string gb(int64_t bytes) { return human_bytes(static_cast<double>(bytes)); }

}  // namespace

const std::vector<std::string>& fit_mixes() {
  static const std::vector<std::string> m = {"F16", "Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q4_0"};
  return m;
}

int64_t count_params(const ArchShape& s) {
  int64_t n = 0;
  for (const auto& t : tensors_of(s)) n += t.cols * t.rows;
  return n;
}

WeightEstimate estimate_weights(const ArchShape& s, const std::string& mix) {
  WeightEstimate w;
  w.mix = mix;
  const auto tensors = tensors_of(s);
  int n_attn_v = 0;
  for (const auto& t : tensors) n_attn_v += t.role == Role::AttnV;
  for (const auto& t : tensors) {
    const Type type = type_for(t, mix, s, n_attn_v);
    const int64_t bytes = t.rows * (t.cols / kType[type].block) * kType[type].block_bytes;
    w.bytes += bytes;
    w.params += t.rows * t.cols;
    w.bytes_by_type[kType[type].name] += bytes;
  }
  return w;
}

int64_t kv_cache_bytes(const ArchShape& s, int64_t ctx, int bytes_per_value) {
  return 2 * s.kv_layers() * ctx * s.n_kv_heads * s.head_dim * bytes_per_value;
}

int64_t recurrent_state_bytes(const ArchShape& s) {
  int64_t n = 0;
  for (int64_t i = 0; i < s.n_layers; ++i)
    if (s.linear_layer[i])
      n += 4 * (s.lin_v_heads * s.lin_k_dim * s.lin_v_dim +
                (s.conv_kernel - 1) * (2 * s.lin_k_heads * s.lin_k_dim + s.lin_v_heads * s.lin_v_dim));
  return n;
}

int64_t runtime_overhead_bytes(const ArchShape& s) {
  // Process and allocator slack, logits (plus a copy for sampling) and the activations of a
  // 512-token prompt batch through the widest layer.
  const int64_t ffn = *std::max_element(s.ffn.begin(), s.ffn.end());
  return (96LL << 20) + 2 * 4 * s.vocab + 512LL * 4 * (4 * s.hidden + 2 * ffn + s.n_heads * s.head_dim);
}

FitReport make_fit_report(const ArchShape& s, int64_t context, int64_t ram, const std::string& ram_source) {
  FitReport r;
  r.shape = s;
  r.params = count_params(s);
  r.context = context;
  r.ram = ram;
  r.ram_source = ram_source;
  const int64_t per_token = kv_cache_bytes(s, 1, 2);  // f16, slm's default KV type
  const int64_t trained = s.max_positions > 0 ? s.max_positions : context;
  for (const auto& mix : fit_mixes()) {
    FitRow row;
    row.mix = mix;
    row.weights = estimate_weights(s, mix).bytes;
    row.kv_f32 = kv_cache_bytes(s, context, 4) + recurrent_state_bytes(s);
    row.kv_f16 = kv_cache_bytes(s, context, 2) + recurrent_state_bytes(s);
    row.overhead = runtime_overhead_bytes(s);
    row.total = row.weights + row.kv_f16 + row.overhead;
    row.fits = ram > 0 && row.total <= ram;
    const int64_t room = ram - row.weights - row.overhead - recurrent_state_bytes(s);
    row.max_context = room <= 0 ? 0 : per_token > 0 ? std::min(trained, room / per_token) : trained;
    if (row.fits && !r.best) r.best = mix;
    r.rows.push_back(row);
  }
  return r;
}

FitReport fit_for_local_model(const std::string& hf_dir, const ModelConfig& config, int64_t context) {
  const std::string config_json = hf_dir.empty() ? "" : hf_dir + "/config.json";
  const ArchShape s = config_json.empty() || !std::ifstream(config_json) ? arch_shape_from_config(config)
                                                                          : read_arch_shape_file(config_json);
  return make_fit_report(s, context, available_ram_bytes(), "MemAvailable");
}

int64_t parse_ram_size(const std::string& text) {
  size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(text, &pos);
  } catch (const std::exception&) {
    throw Error("--ram: not a size: '" + text + "' (examples: 8G, 16GB, 512M)");
  }
  std::string unit = text.substr(pos);
  for (auto& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (unit.size() > 1 && unit.back() == 'B') unit.pop_back();
  if (unit.size() > 1 && unit.back() == 'I') unit.pop_back();
  double scale = 1;
  if (unit == "K") scale = 1024.0;
  else if (unit == "M") scale = 1024.0 * 1024;
  else if (unit == "G") scale = 1024.0 * 1024 * 1024;
  else if (unit == "T") scale = 1024.0 * 1024 * 1024 * 1024;
  else if (!unit.empty() && unit != "B") throw Error("--ram: unknown unit in '" + text + "' (use K, M, G or T)");
  if (v <= 0) throw Error("--ram must be positive");
  return static_cast<int64_t>(v * scale);
}

int64_t available_ram_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  int64_t kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  return 0;
}

std::string format_fit_report(const FitReport& r, const std::string& label) {
  std::ostringstream o;
  const auto& s = r.shape;
  char line[256];
  const int64_t embed = s.vocab * s.hidden * (s.tied_embeddings ? 1 : 2);
  std::snprintf(line, sizeof line, "model:    %s (%s, %.2f B parameters, %.2f B in embeddings%s)\n", label.c_str(),
                s.model_type.empty() ? s.architecture.c_str() : s.model_type.c_str(), r.params / 1e9, embed / 1e9,
                s.tied_embeddings ? ", tied" : "");
  o << line;
  std::snprintf(line, sizeof line, "context:  %lld tokens (trained: %lld); KV cache %s f16 (slm's default), %s f32 (--kv-type f32)\n",
                static_cast<long long>(r.context), static_cast<long long>(s.max_positions),
                gb(r.rows.front().kv_f16).c_str(), gb(r.rows.front().kv_f32).c_str());
  o << line;
  if (r.ram > 0) o << "memory:   " << format_bytes(static_cast<size_t>(r.ram)) << " = " << gb(r.ram) << " available (" << r.ram_source << ")\n";
  o << "\n";
  std::snprintf(line, sizeof line, "%-8s %10s %10s %10s %10s  %-5s %s\n", "QUANT", "WEIGHTS", "KV (f16)", "OVERHEAD",
                "TOTAL", "FITS", "MAX CONTEXT");
  o << line;
  for (const auto& row : r.rows) {
    std::snprintf(line, sizeof line, "%-8s %10s %10s %10s %10s  %-5s %lld\n", row.mix.c_str(), gb(row.weights).c_str(),
                  gb(row.kv_f16).c_str(), gb(row.overhead).c_str(), gb(row.total).c_str(),
                  r.ram <= 0 ? "?" : row.fits ? "yes" : "no", static_cast<long long>(row.max_context));
    o << line;
  }
  o << "\n";
  if (r.best) o << "best fit: " << *r.best << " at context " << r.context << "\n";
  else if (r.ram > 0) {
    const auto& smallest = r.rows.back();
    if (smallest.max_context > 0)
      o << "no quantization fits at context " << r.context << "; " << smallest.mix << " fits up to context "
        << smallest.max_context << "\n";
    else
      o << "does not fit in " << gb(r.ram) << " at any quantization\n";
  }
  for (const auto& n : s.notes) o << "note: " << n << "\n";
  o << "note: weights follow llama.cpp's default mixes; overhead is an estimate\n";
  return o.str();
}

std::string fit_report_json(const FitReport& r, const std::string& label) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : r.rows)
    rows.push_back({{"quant", row.mix}, {"weights_bytes", row.weights}, {"kv_f32_bytes", row.kv_f32},
                    {"kv_f16_bytes", row.kv_f16}, {"overhead_bytes", row.overhead}, {"total_bytes", row.total},
                    {"fits", row.fits}, {"max_context", row.max_context}});
  nlohmann::json j = {{"model", label},
                      {"architecture", r.shape.architecture},
                      {"model_type", r.shape.model_type},
                      {"parameters", r.params},
                      {"context", r.context},
                      {"trained_context", r.shape.max_positions},
                      {"ram_bytes", r.ram},
                      {"ram_source", r.ram_source},
                      {"quantizations", rows},
                      {"best", r.best ? nlohmann::json(*r.best) : nlohmann::json(nullptr)},
                      {"notes", r.shape.notes}};
  return j.dump(2);
}

}  // namespace slm::hub
