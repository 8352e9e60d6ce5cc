#pragma once
// What sets a model's architecture apart, for `slm info`: layer kinds, attention windows, RoPE
// variants, AltUp/per-layer embeddings, and effective vs total parameters.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "formats/weight_store.h"
#include "model/config.h"

namespace slm {

struct ArchitectureSummary {
  int64_t total_parameters = 0;
  // Excludes what stays out of the compute path per token (Gemma 3n's per-layer embedding table,
  // which may stay memory-mapped).
  int64_t effective_parameters = 0;
  std::vector<std::string> features;  // one line each, e.g. "sliding window 512 on 5 of 6 layers"
};

ArchitectureSummary summarize_architecture(const ModelConfig& config, const WeightStore& weights);
nlohmann::json to_json(const ArchitectureSummary& summary);

}  // namespace slm
