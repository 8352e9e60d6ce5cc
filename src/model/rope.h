#pragma once
// RoPE frequencies of a model, with its scaling (linear, Llama 3, YaRN) applied once at load.
#include <cstdint>
#include <vector>

#include "model/config.h"

namespace slm {

struct RopeFrequencies {
  int64_t rot_dim = 0;          // dims rotated per head
  std::vector<float> inv_freq;  // rot_dim / 2 entries
  double mscale = 1.0;          // multiplies cos and sin (YaRN attention factor)
};

RopeFrequencies compute_rope_frequencies(const ModelConfig& config);

}  // namespace slm
