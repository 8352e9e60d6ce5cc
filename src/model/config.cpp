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
  if (static_cast<int64_t>(layer_uses_rope.size()) != n_layers)
    throw Error(source + ": per-layer RoPE flags cover " + std::to_string(layer_uses_rope.size()) + " of " +
                std::to_string(n_layers) + " layers");
  if (!rope_freq_divisors.empty() && static_cast<int64_t>(rope_freq_divisors.size()) != head_dim / 2)
    throw Error(source + ": rope_freqs has " + std::to_string(rope_freq_divisors.size()) +
                " entries, expected head_dim/2 = " + std::to_string(head_dim / 2));
}

}  // namespace slm
