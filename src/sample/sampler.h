#pragma once
// The sampler chain: repetition penalty -> top-k -> temperature -> top-p -> min-p -> draw.
// Temperature 0 is greedy (argmax, ties to the lowest id). Same seed, same draws.
#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace slm {

struct SamplerConfig {
  float temperature = 0.0f;
  int top_k = 0;          // 0 = off
  float top_p = 1.0f;     // 1 = off
  float min_p = 0.0f;     // 0 = off
  float repetition_penalty = 1.0f;  // 1 = off; applied to tokens in the recent window
  int repetition_window = 64;
  uint64_t seed = 0;
};

class Sampler {
 public:
  explicit Sampler(const SamplerConfig& config);

  // Picks the next token from raw logits; `history` is every token so far (prompt + generated).
  int32_t sample(std::span<const float> logits, std::span<const int32_t> history);

  const SamplerConfig& config() const { return config_; }

 private:
  SamplerConfig config_;
  std::mt19937_64 rng_;
  // Reused across calls: sampling a token allocates nothing once they have grown.
  std::vector<float> work_;
  std::vector<int32_t> ids_, seen_;
  std::vector<double> probs_;
};

int32_t argmax(std::span<const float> logits);

}  // namespace slm
