#include "model/config.h"

#include "slm/error.h"

namespace slm {

void ModelConfig::validate(const std::string& source) const {
  auto positive = [&](int64_t v, const char* name) {
    if (v <= 0) throw Error(source + ": " + name + " must be positive, got " + std::to_string(v));
  };
  positive(vocab_size, "vocab_size");
  positive(hidden_size, "hidden_size");
  positive(intermediate_size, "intermediate_size");
  positive(n_layers, "num_hidden_layers");
  positive(n_heads, "num_attention_heads");
  positive(n_kv_heads, "num_key_value_heads");
  positive(head_dim, "head_dim");
  if (n_heads % n_kv_heads != 0)
    throw Error(source + ": num_attention_heads " + std::to_string(n_heads) +
                " is not a multiple of num_key_value_heads " + std::to_string(n_kv_heads));
  if (head_dim % 2 != 0) throw Error(source + ": head_dim must be even, got " + std::to_string(head_dim));
  if (head_dim > 1024) throw Error(source + ": head_dim " + std::to_string(head_dim) + " is implausibly large");
  if (static_cast<int64_t>(layer_uses_rope.size()) != n_layers)
    throw Error(source + ": per-layer RoPE flags cover " + std::to_string(layer_uses_rope.size()) + " of " +
                std::to_string(n_layers) + " layers");
  if (static_cast<int64_t>(layer_kinds.size()) != n_layers)
    throw Error(source + ": layer kinds cover " + std::to_string(layer_kinds.size()) + " of " +
                std::to_string(n_layers) + " layers");
  for (auto kind : layer_kinds)
    if (kind == LayerKind::GatedDeltaNet) {
      const auto& d = delta_net;
      if (d.n_key_heads <= 0 || d.n_value_heads <= 0 || d.key_dim <= 0 || d.value_dim <= 0 || d.conv_kernel <= 0 ||
          d.n_value_heads % d.n_key_heads != 0)
        throw Error(source + ": inconsistent linear-attention (Gated DeltaNet) dimensions");
      break;
    }
  auto per_layer = [&](size_t n, const char* what) {
    if (n != 0 && static_cast<int64_t>(n) != n_layers)
      throw Error(source + ": " + what + " has " + std::to_string(n) + " entries for " + std::to_string(n_layers) +
                  " layers");
  };
  per_layer(layer_intermediate.size(), "intermediate_size");
  per_layer(layer_sparsity_cutoff.size(), "activation sparsity");
  per_layer(kv_source_layer.size(), "KV sharing");
  for (int64_t l = 0; l < static_cast<int64_t>(kv_source_layer.size()); ++l)
    if (kv_source_layer[l] < 0 || kv_source_layer[l] > l) throw Error(source + ": invalid KV sharing");
  for (int64_t v : layer_intermediate)
    if (v <= 0) throw Error(source + ": intermediate_size entries must be positive");
  if (altup.n_streams > 0 && (altup.laurel_rank <= 0 || altup.per_layer_dim <= 0 || altup.per_layer_vocab <= 0))
    throw Error(source + ": AltUp models need laurel_rank, hidden_size_per_layer_input and vocab_size_per_layer_input");
  if (static_cast<int64_t>(layer_window.size()) != n_layers)
    throw Error(source + ": per-layer window list covers " + std::to_string(layer_window.size()) + " of " +
                std::to_string(n_layers) + " layers");
  if (!(partial_rotary_factor > 0 && partial_rotary_factor <= 1))
    throw Error(source + ": partial_rotary_factor must be in (0, 1]");
  const int64_t rot = rotary_dim();
  if (rot % 2 != 0) throw Error(source + ": rotary dimension " + std::to_string(rot) + " must be even");
  for (const auto* f : {&rope_scaling.short_factors, &rope_scaling.long_factors})
    if (!f->empty() && static_cast<int64_t>(f->size()) != rot / 2)
      throw Error(source + ": rope_scaling factor lists need " + std::to_string(rot / 2) + " entries, got " +
                  std::to_string(f->size()));
  if (!rope_freq_divisors.empty() && static_cast<int64_t>(rope_freq_divisors.size()) != rot / 2)
    throw Error(source + ": rope_freqs has " + std::to_string(rope_freq_divisors.size()) +
                " entries, expected " + std::to_string(rot / 2));
}

}  // namespace slm
