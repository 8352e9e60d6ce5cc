#include "sample/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "slm/error.h"

namespace slm {

int32_t argmax(std::span<const float> logits) {
  return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

Sampler::Sampler(const SamplerConfig& config) : config_(config), rng_(config.seed) {
  if (config.temperature < 0) throw Error("temperature must be >= 0");
  if (config.top_k < 0) throw Error("top_k must be >= 0");
  if (!(config.top_p > 0 && config.top_p <= 1)) throw Error("top_p must be in (0, 1]");
  if (!(config.min_p >= 0 && config.min_p <= 1)) throw Error("min_p must be in [0, 1]");
  if (!(config.repetition_penalty > 0)) throw Error("repetition_penalty must be > 0");
}

int32_t Sampler::sample(std::span<const float> logits, std::span<const int32_t> history) {
  const size_t n = logits.size();
  work_.assign(logits.begin(), logits.end());

  // Repetition penalty (CTRL style): shrink the logits of recently seen tokens.
  if (config_.repetition_penalty != 1.0f) {
    const size_t window = std::min<size_t>(history.size(), config_.repetition_window);
    seen_.assign(history.end() - window, history.end());
    std::sort(seen_.begin(), seen_.end());
    seen_.erase(std::unique(seen_.begin(), seen_.end()), seen_.end());
    for (int32_t id : seen_) {
      if (id < 0 || static_cast<size_t>(id) >= n) continue;
      float& l = work_[id];
      l = l > 0 ? l / config_.repetition_penalty : l * config_.repetition_penalty;
    }
  }
  if (config_.temperature == 0.0f) return argmax(work_);

  // Candidates sorted by logit (descending; ties to the lower id), cut to top-k.
  ids_.resize(n);
  std::iota(ids_.begin(), ids_.end(), 0);
  auto better = [&](int32_t a, int32_t b) { return work_[a] > work_[b] || (work_[a] == work_[b] && a < b); };
  size_t k = config_.top_k > 0 ? std::min<size_t>(config_.top_k, n) : n;
  std::partial_sort(ids_.begin(), ids_.begin() + k, ids_.end(), better);
  ids_.resize(k);

  // Softmax at the temperature.
  std::vector<double>& p = probs_;
  p.resize(k);
  const double max_l = work_[ids_[0]];
  double sum = 0;
  for (size_t i = 0; i < k; ++i) sum += p[i] = std::exp((work_[ids_[i]] - max_l) / config_.temperature);
  for (size_t i = 0; i < k; ++i) p[i] /= sum;

  // Top-p: the smallest prefix whose mass reaches top_p. Min-p: drop tokens below min_p * p_max.
  size_t keep = k;
  if (config_.top_p < 1.0f) {
    double cum = 0;
    for (size_t i = 0; i < k; ++i) {
      cum += p[i];
      if (cum >= config_.top_p) {
        keep = i + 1;
        break;
      }
    }
  }
  if (config_.min_p > 0) {
    const double cut = config_.min_p * p[0];
    size_t i = 1;
    while (i < keep && p[i] >= cut) ++i;
    keep = i;
  }

  double mass = 0;
  for (size_t i = 0; i < keep; ++i) mass += p[i];
  std::uniform_real_distribution<double> uniform(0.0, mass);
  double r = uniform(rng_);
  for (size_t i = 0; i < keep; ++i) {
    r -= p[i];
    if (r < 0) return ids_[i];
  }
  return ids_[keep - 1];
}

}  // namespace slm
