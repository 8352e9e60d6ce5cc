#pragma once
// The shape of a decoder as `slm fit` needs it, read straight from config.json for any family,
// including ones slm cannot run yet (phi3, gemma3, gemma3n, qwen3.5): sizes per layer, attention
// kind per layer, tied embeddings, fused projections.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace slm {
struct ModelConfig;
}

namespace slm::hub {

struct ArchShape {
  std::string architecture;  // "Qwen3ForCausalLM"
  std::string model_type;    // "qwen3"
  int64_t vocab = 0, hidden = 0, n_layers = 0, n_heads = 0, n_kv_heads = 0, head_dim = 0;
  int64_t max_positions = 0;
  std::vector<int64_t> ffn;          // intermediate size of each layer
  std::vector<bool> linear_layer;    // true: Gated DeltaNet layer (no KV cache growth)
  bool tied_embeddings = false;
  bool fused_qkv = false;            // GGUF stores attn_qkv and a fused ffn_up (phi3)
  bool attn_output_gate = false;     // q_proj also emits a gate (qwen3.5)
  bool qk_norm = false;
  // Gated DeltaNet (qwen3.5 linear_attention layers)
  int64_t lin_k_heads = 0, lin_v_heads = 0, lin_k_dim = 0, lin_v_dim = 0, conv_kernel = 0;
  // gemma3n
  int64_t per_layer_dim = 0, per_layer_vocab = 0, laurel_rank = 0, kv_shared_layers = 0;
  int64_t sliding_window = 0;        // 0: none
  std::vector<std::string> notes;    // where the estimate is approximate

  int64_t kv_layers() const;         // layers that keep a per-token K/V cache
};

// Reads the text part of a config.json (text_config when nested, as in gemma3 and qwen3.5
// multimodal checkpoints). Throws slm::Error naming `source` and the missing field.
ArchShape read_arch_shape(const nlohmann::json& config, const std::string& source);
ArchShape read_arch_shape_file(const std::string& config_json_path);
// From an already parsed ModelConfig (GGUF files of the families slm runs).
ArchShape arch_shape_from_config(const ModelConfig& c);

}  // namespace slm::hub
