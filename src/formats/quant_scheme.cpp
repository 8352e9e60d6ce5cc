#include "formats/quant_scheme.h"

#include <regex>

namespace slm {

namespace {

struct SchemeInfo {
  QuantScheme scheme;
  const char* name;
  uint32_t file_type;
  DType base;
};

const SchemeInfo kSchemes[] = {
    {QuantScheme::Q8_0, "Q8_0", 7, DType::Q8_0},       {QuantScheme::Q4_0, "Q4_0", 2, DType::Q4_0},
    {QuantScheme::Q4_K_M, "Q4_K_M", 15, DType::Q4_K},  {QuantScheme::Q5_K_M, "Q5_K_M", 17, DType::Q5_K},
    {QuantScheme::Q6_K, "Q6_K", 18, DType::Q6_K},      {QuantScheme::F16, "F16", 1, DType::F16},
    {QuantScheme::F32, "F32", 0, DType::F32},
};

const SchemeInfo& info(QuantScheme s) {
  for (const auto& i : kSchemes)
    if (i.scheme == s) return i;
  return kSchemes[0];
}

// llama.cpp's choice of layers that get more bits: the first and last eighth, and every third between.
bool use_more_bits(int64_t layer, int64_t n_layers) {
  return layer < n_layers / 8 || layer >= 7 * n_layers / 8 || (layer - n_layers / 8) % 3 == 2;
}

// The type that fits a row length the wanted block type cannot divide (as llama.cpp substitutes).
DType fitting_type(DType wanted, int64_t cols) {
  if (cols % dtype_info(wanted).block_elems == 0) return wanted;
  DType fallback = wanted;
  switch (wanted) {
    case DType::Q4_K: fallback = DType::Q5_0; break;
    case DType::Q5_K: fallback = DType::Q5_1; break;
    case DType::Q6_K: fallback = DType::Q8_0; break;
    default: break;
  }
  return cols % dtype_info(fallback).block_elems == 0 ? fallback : DType::F16;
}

}  // namespace

std::optional<QuantScheme> parse_quant_scheme(const std::string& name) {
  for (const auto& i : kSchemes)
    if (name == i.name) return i.scheme;
  return std::nullopt;
}

const char* quant_scheme_name(QuantScheme s) { return info(s).name; }

std::string quant_scheme_names() {
  std::string s;
  for (const auto& i : kSchemes) s += (s.empty() ? "" : ", ") + std::string(i.name);
  return s;
}

uint32_t quant_scheme_file_type(QuantScheme s) { return info(s).file_type; }

DType tensor_type_for(QuantScheme s, const TensorContext& t) {
  if (t.shape.size() < 2 || t.name == "rope_freqs.weight") return DType::F32;
  const DType base = info(s).base;
  if (base == DType::F32 || base == DType::F16) return base;
  DType type = base;
  const bool is_output = t.name == "output.weight" || (!t.has_output && t.name == "token_embd.weight");
  static const std::regex layer_re(R"(^blk\.(\d+)\.)");
  std::smatch m;
  const int64_t layer = std::regex_search(t.name, m, layer_re) ? std::stoll(m[1].str()) : -1;
  if (is_output) {
    if (base != DType::Q8_0) type = DType::Q6_K;
  } else if ((s == QuantScheme::Q4_K_M || s == QuantScheme::Q5_K_M) && layer >= 0 &&
             (t.name.ends_with(".attn_v.weight") || t.name.ends_with(".ffn_down.weight")) &&
             use_more_bits(layer, t.n_layers)) {
    type = DType::Q6_K;
  }
  return fitting_type(type, t.shape.back());
}

}  // namespace slm
