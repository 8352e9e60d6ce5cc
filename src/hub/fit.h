#pragma once
// How much memory a model needs at each common GGUF quantization, computed from its shape alone:
// every weight tensor gets the type llama.cpp's default mix gives it (Q4_K_M keeps attn_v and
// ffn_down of "more bits" layers at Q6_K, the output matrix at Q6_K...), plus the KV cache at a
// context and the runtime's own buffers. Used before anything is downloaded.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hub/fit_config.h"
#include "model/config.h"

namespace slm::hub {

// The mixes `slm fit` reports, best quality first.
const std::vector<std::string>& fit_mixes();  // F16 Q8_0 Q6_K Q5_K_M Q4_K_M Q4_0

struct WeightEstimate {
  std::string mix;
  int64_t bytes = 0;
  int64_t params = 0;
  std::map<std::string, int64_t> bytes_by_type;  // "Q4_K" -> bytes
};

// Parameters of the model (weights only, as stored: embeddings once when tied).
int64_t count_params(const ArchShape& s);
WeightEstimate estimate_weights(const ArchShape& s, const std::string& mix);

// K and V for every layer that caches them: 2 x layers x ctx x kv_heads x head_dim x bytes.
int64_t kv_cache_bytes(const ArchShape& s, int64_t ctx, int bytes_per_value);
// Fixed-size recurrent state of linear-attention layers (f32).
int64_t recurrent_state_bytes(const ArchShape& s);
// Activations, logits and process overhead: an estimate, grows with the vocabulary and width.
int64_t runtime_overhead_bytes(const ArchShape& s);

struct FitRow {
  std::string mix;
  // total counts the f16 KV cache slm allocates by default (kv_f32: with --kv-type f32).
  int64_t weights = 0, kv_f32 = 0, kv_f16 = 0, overhead = 0, total = 0;
  bool fits = false;
  int64_t max_context = 0;  // largest context whose total (f16 KV) fits the RAM (capped at the trained one)
};

struct FitReport {
  ArchShape shape;
  int64_t params = 0;
  int64_t context = 0;
  int64_t ram = 0;              // bytes available
  std::string ram_source;       // "--ram" or "MemAvailable"
  std::vector<FitRow> rows;
  std::optional<std::string> best;  // highest-quality mix that fits at `context`
};

FitReport make_fit_report(const ArchShape& s, int64_t context, int64_t ram_bytes, const std::string& ram_source);

// The report for a model already on disk: its config.json when it has one (every family),
// else the parsed config (GGUF), at `context`, against MemAvailable.
FitReport fit_for_local_model(const std::string& hf_dir, const ModelConfig& config, int64_t context);

// "8G", "8GB", "8GiB", "512M", "1.5T" or plain bytes; G = 2^30 (RAM is counted in binary units).
int64_t parse_ram_size(const std::string& text);
// MemAvailable from /proc/meminfo, 0 when unknown.
int64_t available_ram_bytes();

// Human-readable table (what `slm fit` prints) and JSON.
std::string format_fit_report(const FitReport& r, const std::string& model_label);
std::string fit_report_json(const FitReport& r, const std::string& model_label);

}  // namespace slm::hub
