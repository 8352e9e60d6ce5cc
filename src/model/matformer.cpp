#include "model/matformer.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/mapped_file.h"
#include "slm/error.h"

namespace slm {

MatFormerSlice read_matformer_slice(const std::string& path) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_text_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": invalid JSON: " + e.what());
  }
  MatFormerSlice s;
  auto ints = [&](const char* key, std::vector<int64_t>& out) {
    if (!j.contains(key) || j[key].is_null()) return;
    if (!j[key].is_array()) throw Error(path + ": " + key + " must be a list of integers");
    for (const auto& v : j[key]) {
      if (!v.is_number_integer()) throw Error(path + ": " + key + " must be a list of integers");
      out.push_back(v.get<int64_t>());
    }
  };
  ints("ffn_hidden_dims", s.ffn_widths);
  ints("layers_skipped", s.skip_layers);
  return s;
}

namespace {

// Keeps layers not in `skip` of a per-layer list.
template <typename T>
void keep_layers(std::vector<T>& v, const std::vector<bool>& skip) {
  if (v.empty()) return;
  std::vector<T> out;
  for (size_t l = 0; l < v.size(); ++l)
    if (!skip[l]) out.push_back(v[l]);
  v = std::move(out);
}

}  // namespace

void apply_matformer_slice(ModelFiles& files, const MatFormerSlice& slice) {
  ModelConfig& c = files.config;
  WeightStore& w = files.weights;
  const std::string& src = files.path;
  if (c.altup.n_streams == 0)
    throw Error(src + ": MatFormer slicing needs a MatFormer model (Gemma 3n); " + c.family + " is not one");
  if (!c.layer_weights_index.empty()) throw Error(src + ": the model is already sliced");

  // Layers: drop the skipped ones; shared K/V must still come from a kept layer.
  const int64_t L = c.n_layers;
  std::vector<bool> skip(L, false);
  for (int64_t l : slice.skip_layers) {
    if (l < 0 || l >= L) throw Error(src + ": MatFormer: layer " + std::to_string(l) + " to skip does not exist");
    skip[l] = true;
  }
  std::vector<int64_t> new_index(L, -1);
  for (int64_t l = 0, n = 0; l < L; ++l)
    if (!skip[l]) new_index[l] = n++;
  for (int64_t l = 0; l < L; ++l)
    if (!skip[l] && skip[c.kv_source(l)])
      throw Error(src + ": MatFormer: layer " + std::to_string(c.kv_source(l)) +
                  " cannot be skipped: layer " + std::to_string(l) + " attends with its keys and values");
  std::vector<int64_t> weights_index, kv_source;
  for (int64_t l = 0; l < L; ++l)
    if (!skip[l]) {
      weights_index.push_back(l);
      kv_source.push_back(new_index[c.kv_source(l)]);
    }
  const int64_t kept = static_cast<int64_t>(weights_index.size());
  if (kept == 0) throw Error(src + ": MatFormer: every layer skipped");

  // MLP widths: gate/up keep their first rows (views), down its first columns (a copy).
  std::vector<int64_t> widths = slice.ffn_widths;
  if (widths.empty())
    for (int64_t l : weights_index) widths.push_back(c.ffn_width(l));
  if (static_cast<int64_t>(widths.size()) != kept)
    throw Error(src + ": MatFormer: " + std::to_string(widths.size()) + " FFN widths for " + std::to_string(kept) +
                " remaining layers");
  for (int64_t i = 0; i < kept; ++i) {
    const int64_t l = weights_index[i], full = c.ffn_width(l), k = widths[i];
    if (k <= 0 || k > full)
      throw Error(src + ": MatFormer: FFN width " + std::to_string(k) + " for layer " + std::to_string(l) +
                  " must be in 1.." + std::to_string(full));
    if (k == full) continue;
    const std::string p = "blk." + std::to_string(l) + ".";
    for (const char* name : {"ffn_gate.weight", "ffn_up.weight"}) {
      Tensor t = w.get(p + name, {full, c.hidden_size});
      t.shape[0] = k;  // the first k rows are contiguous
      w.put(p + name, t, w.origin(p + name) + " (first " + std::to_string(k) + " rows)");
    }
    const Tensor& down = w.get(p + "ffn_down.weight", {c.hidden_size, full});
    const int block = dtype_info(down.dtype).block_elems;
    if (k % block != 0)
      throw Error(src + ": MatFormer: FFN width " + std::to_string(k) + " is not a multiple of the " +
                  dtype_name(down.dtype) + " block size " + std::to_string(block));
    const size_t full_row = dtype_bytes(down.dtype, full), kept_row = dtype_bytes(down.dtype, k);
    std::vector<uint8_t> bytes(c.hidden_size * kept_row);
    for (int64_t r = 0; r < c.hidden_size; ++r)
      std::memcpy(bytes.data() + r * kept_row, static_cast<const uint8_t*>(down.data) + r * full_row, kept_row);
    const std::string origin = w.origin(p + "ffn_down.weight") + " (first " + std::to_string(k) + " columns)";
    w.put_owned(p + "ffn_down.weight", down.dtype, {c.hidden_size, k}, std::move(bytes), origin);
  }

  std::vector<int64_t> full_widths;
  for (int64_t l : weights_index) full_widths.push_back(c.ffn_width(l));
  keep_layers(c.layer_uses_rope, skip);
  keep_layers(c.layer_window, skip);
  keep_layers(c.layer_kinds, skip);
  keep_layers(c.layer_sparsity_cutoff, skip);
  c.layer_intermediate = widths;
  c.intermediate_size = *std::max_element(widths.begin(), widths.end());
  c.kv_source_layer = kv_source;
  c.layer_weights_index = weights_index;
  c.n_layers = kept;
  c.validate(src);
}

}  // namespace slm
