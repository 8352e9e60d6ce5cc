#include "formats/fused_projections.h"

#include "slm/error.h"

namespace slm {

namespace {

// Views rows [first, first + count) of a 2-D tensor (or entries of a 1-D bias).
Tensor row_block(const Tensor& t, int64_t first, int64_t count) {
  Tensor v = t;
  const size_t row_bytes = t.shape.size() == 2 ? t.nbytes() / t.shape[0] : dtype_bytes(t.dtype, 1);
  v.shape[0] = count;
  v.data = static_cast<const uint8_t*>(t.data) + first * row_bytes;
  return v;
}

void split(WeightStore& w, const std::string& fused, const std::vector<std::pair<std::string, int64_t>>& parts) {
  const Tensor* t = w.find(fused);
  if (!t) return;
  int64_t total = 0;
  for (const auto& p : parts) total += p.second;
  if (t->shape.empty() || t->shape[0] != total)
    throw Error(w.origin(fused) + ": fused projection has " + (t->shape.empty() ? std::string("no") : std::to_string(t->shape[0])) +
                " rows, expected " + std::to_string(total));
  const Tensor whole = *t;
  const std::string origin = w.origin(fused);
  int64_t first = 0;
  for (const auto& [name, rows] : parts) {
    w.put(name, row_block(whole, first, rows), origin + " (rows " + std::to_string(first) + ".." +
                                                   std::to_string(first + rows - 1) + ")");
    first += rows;
  }
}

}  // namespace

void split_fused_projections(WeightStore& w, const ModelConfig& c) {
  // GGUF stacks AltUp's per-stream matrices into one [n, hidden, hidden] tensor.
  for (const char* stacked : {"altup_proj", "altup_unembd_proj"}) {
    const std::string name = std::string(stacked) + ".weight";
    const Tensor* t = w.find(name);
    if (!t || t->shape.size() != 3) continue;
    const Tensor whole = *t;
    const size_t matrix_bytes = whole.nbytes() / whole.shape[0];
    for (int64_t i = 0; i < whole.shape[0]; ++i) {
      Tensor m = whole;
      m.shape = {whole.shape[1], whole.shape[2]};
      m.data = static_cast<const uint8_t*>(whole.data) + i * matrix_bytes;
      w.put(std::string(stacked) + "." + std::to_string(i) + ".weight", m, w.origin(name) + " [" + std::to_string(i) + "]");
    }
  }
  const int64_t q_dim = c.n_heads * c.head_dim, kv_dim = c.n_kv_heads * c.head_dim, F = c.intermediate_size;
  for (int64_t l = 0; l < c.n_layers; ++l) {
    // Linear-attention layers have an attn_qkv of their own shape: not a fused softmax-attention input.
    if (c.layer_kinds[l] != LayerKind::Attention) continue;
    const std::string p = "blk." + std::to_string(l) + ".";
    for (const char* kind : {"weight", "bias"})
      split(w, p + "attn_qkv." + kind,
            {{p + "attn_q." + kind, q_dim}, {p + "attn_k." + kind, kv_dim}, {p + "attn_v." + kind, kv_dim}});
    split(w, p + "ffn_gate_up.weight", {{p + "ffn_gate.weight", F}, {p + "ffn_up.weight", F}});
    // GGUF keeps the fused gate|up matrix under ffn_up.
    const Tensor* up = w.find(p + "ffn_up.weight");
    if (up && !w.has(p + "ffn_gate.weight") && !up->shape.empty() && up->shape[0] == 2 * F)
      split(w, p + "ffn_up.weight", {{p + "ffn_gate.weight", F}, {p + "ffn_up.weight", F}});
  }
}

}  // namespace slm
