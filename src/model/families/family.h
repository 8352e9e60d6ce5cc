#pragma once
// A model family: how config.json / GGUF name it and the switches of the generic decoder it sets.
// Each family is a short description in its own file; registry.cpp lists them.
#include <map>
#include <string>
#include <vector>

#include "model/config.h"

namespace slm {

struct Family {
  std::string name;
  std::vector<std::string> hf_model_types;    // config.json "model_type"
  std::vector<std::string> hf_architectures;  // config.json "architectures"
  std::vector<std::string> gguf_archs;        // GGUF "general.architecture"
  // GGUF files of this family store Q/K rows permuted for interleaved (adjacent-pair) RoPE.
  bool gguf_qk_permuted = false;
  // Sets the family's switches once the common hyper-parameters are known.
  void (*configure)(ModelConfig&) = nullptr;
  // GGUF files carry no NoPE metadata for some families; llama.cpp fixes the interval per family.
  int gguf_no_rope_layer_interval = 0;
  // Hugging Face per-layer module names that mean something else in this family
  // ("post_attention_layernorm" is the pre-MLP norm in Llama but a post-norm in Gemma).
  std::map<std::string, std::string> hf_layer_renames = {};
  // GGUF per-layer tensor names that mean something else in this family ("post_attention_norm" is
  // the pre-MLP norm in Qwen3.5 files).
  std::map<std::string, std::string> gguf_layer_renames = {};
  // Hugging Face checkpoints store RMSNorm weights as w for x * (1 + w); GGUF stores 1 + w.
  double hf_norm_weight_offset = 0;
  // Interleaved sliding-window and global layers: every n-th layer is global.
  int sliding_window_pattern = 0;
  // Maps the last `n_shared` layers onto earlier layers' K/V (needs layer windows set).
  void (*share_kv)(ModelConfig&, int64_t n_shared) = nullptr;
};

// Standard normal quantile (activation sparsity targets are given as probabilities).
double normal_quantile(double p);

const Family& llama_family();
const Family& qwen2_family();
const Family& qwen3_family();
const Family& smollm3_family();
const Family& phi3_family();
const Family& gemma3_family();
const Family& qwen35_family();
const Family& gemma3n_family();

// nullptr when unknown.
const Family* find_family_hf(const std::string& model_type, const std::vector<std::string>& architectures);
const Family* find_family_gguf(const std::string& arch);
const Family* find_family_by_name(const std::string& name);
// "llama, qwen2, qwen3, smollm3" for error messages.
std::string known_families();

}  // namespace slm
