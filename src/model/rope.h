#pragma once
// RoPE frequencies of a model, with its scaling (linear, Llama 3, YaRN) applied once at load.
#include <cstdint>
#include <vector>

#include "model/config.h"

namespace slm {

struct RopeFrequencies {
  int64_t rot_dim = 0;          // dims rotated per head
  std::vector<float> inv_freq;  // rot_dim / 2 entries
  // LongRoPE: frequencies used once the sequence is longer than long_after positions
  // (transformers decides per forward call from the highest position).
  std::vector<float> inv_freq_long;
  int64_t long_after = 0;
  double mscale = 1.0;          // multiplies cos and sin (YaRN / LongRoPE attention factor)

  const std::vector<float>& for_sequence_end(int64_t end) const {
    return !inv_freq_long.empty() && end > long_after ? inv_freq_long : inv_freq;
  }
};

// `theta` is the layer type's base; `scaled` says whether rope_scaling applies to it.
RopeFrequencies compute_rope_frequencies(const ModelConfig& config, double theta, bool scaled);

}  // namespace slm
