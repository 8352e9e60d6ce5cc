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
  std::optional<double> attention_factor;  // yarn, longrope: multiplies cos/sin
  // longrope: per-frequency divisors, short below original_max_positions, long beyond
  std::vector<float> short_factors, long_factors;
  // Applies to the global (full-attention) layers only (Gemma 3).
  bool global_layers_only = false;
};

enum class Activation { SiLU, GeluTanh };

enum class LayerKind { Attention, GatedDeltaNet };

// Gemma 3n: AltUp residual streams, LAuReL low-rank branch and per-layer embeddings.
struct AltUpConfig {
  int64_t n_streams = 0;        // 0 = no AltUp (every other family)
  int64_t active = 0;           // the stream the layer computes on
  int64_t laurel_rank = 0;
  int64_t per_layer_dim = 0;    // hidden_size_per_layer_input
  int64_t per_layer_vocab = 0;  // rows of the per-layer embedding table
  int64_t per_layer_layers = 0; // layers the table has inputs for (more than run after MatFormer slicing)
};

// Gated DeltaNet (Qwen3.5 linear-attention layers).
struct DeltaNetConfig {
  int64_t n_key_heads = 0;
  int64_t n_value_heads = 0;
  int64_t key_dim = 0;
  int64_t value_dim = 0;
  int64_t conv_kernel = 0;
  // Value head j reads key head j % n_key_heads (GGUF's tiled order) instead of
  // j / (n_value_heads / n_key_heads) (Hugging Face's grouped order).
  bool tiled_heads = false;

  int64_t qkv_dim() const { return 2 * n_key_heads * key_dim + n_value_heads * value_dim; }
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
  double partial_rotary_factor = 1.0;  // fraction of head_dim rotated (Phi-3: 0.75)
  // M-RoPE sections (Qwen3.5's mrope_section); for text every section uses the token position,
  // so they only travel from config.json to GGUF rope.dimension_sections.
  std::vector<int32_t> rope_sections;
  // Sliding-window attention: window per layer (0 = full attention) and the RoPE base of windowed layers.
  std::vector<int64_t> layer_window;
  double rope_theta_local = 0;  // 0 = rope_theta everywhere

  Activation activation = Activation::SiLU;
  double embedding_scale = 1.0;     // Gemma: sqrt(hidden_size)
  double attention_scale = 0;       // 0 = 1/sqrt(head_dim)
  double norm_weight_offset = 0;    // 1 when RMSNorm weights are stored as w for x * (1 + w)
  bool post_norms = false;          // Gemma: RMSNorm on the attention and MLP outputs too
  double final_logit_softcap = 0;   // 0 = off

  std::vector<LayerKind> layer_kinds;  // Attention unless a hybrid family says otherwise
  DeltaNetConfig delta_net;
  bool attn_output_gate = false;       // Qwen3.5: q_proj also emits a sigmoid gate per head

  // Gemma 3n: per-layer MLP widths, Gaussian top-k activation sparsity (cut-off in standard
  // deviations per layer, 0 = dense), K/V shared from an earlier layer, weightless v norm.
  std::vector<int64_t> layer_intermediate;     // empty = intermediate_size everywhere
  std::vector<double> layer_sparsity_cutoff;   // empty = dense everywhere
  std::vector<int64_t> kv_source_layer;        // empty = every layer keeps its own K/V
  bool v_norm = false;
  AltUpConfig altup;

  bool tied_embeddings = false;
  bool qkv_bias = false;  // Qwen2
  bool qk_norm = false;   // Qwen3

  std::optional<int32_t> bos_token_id;
  std::vector<int32_t> eos_token_ids;
  std::string weights_dtype;  // torch_dtype or the GGUF file type

  int64_t ffn_width(int64_t layer) const {
    return layer_intermediate.empty() ? intermediate_size : layer_intermediate[layer];
  }
  int64_t kv_source(int64_t layer) const { return kv_source_layer.empty() ? layer : kv_source_layer[layer]; }
  // The file's block index of a layer ("blk.N."): differs once MatFormer slicing skipped layers.
  std::vector<int64_t> layer_weights_index;
  int64_t weights_index(int64_t layer) const {
    return layer_weights_index.empty() ? layer : layer_weights_index[layer];
  }
  std::string layer_prefix(int64_t layer) const { return "blk." + std::to_string(weights_index(layer)) + "."; }
  int64_t rotary_dim() const { return static_cast<int64_t>(head_dim * partial_rotary_factor + 0.5); }

  // Throws slm::Error naming `source` when the numbers are inconsistent.
  void validate(const std::string& source) const;
};

}  // namespace slm
