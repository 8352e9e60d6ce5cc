#pragma once
// Typed hyper-parameters of a decoder model, filled from config.json or GGUF metadata.
// The family switches (biases, q/k norm, NoPE layers...) are data the generic decoder reads.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace slm {

enum class RopeScalingType { None, Linear, Llama3, Yarn, LongRope };

struct RopeScaling {
  RopeScalingType type = RopeScalingType::None;
  double factor = 1.0;
  // llama3
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  int64_t original_max_positions = 0;
  // yarn
  double beta_fast = 32.0;
  double beta_slow = 1.0;
  std::optional<double> attention_factor;
};

struct ModelConfig {
  std::string family;        // "llama", "qwen2", "qwen3", "smollm3"
  std::string architecture;  // as the file named it (HF architectures[0] or GGUF general.architecture)

  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t n_layers = 0;
  int64_t n_heads = 0;
  int64_t n_kv_heads = 0;
  int64_t head_dim = 0;
  int64_t max_positions = 0;
  double norm_eps = 1e-6;

  double rope_theta = 10000.0;
  RopeScaling rope_scaling;
  // Per-dimension divisors of the RoPE frequencies (GGUF rope_freqs.weight); empty = computed.
  std::vector<float> rope_freq_divisors;
  std::vector<bool> layer_uses_rope;  // false: NoPE layer (SmolLM3)

  bool tied_embeddings = false;
  bool qkv_bias = false;  // Qwen2
  bool qk_norm = false;   // Qwen3

  std::optional<int32_t> bos_token_id;
  std::vector<int32_t> eos_token_ids;
  std::string weights_dtype;  // torch_dtype or the GGUF file type

  // Throws slm::Error naming `source` when the numbers are inconsistent.
  void validate(const std::string& source) const;
};

}  // namespace slm
