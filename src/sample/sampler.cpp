#include "sample/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

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

  // Cheap linear cuts first, so that only a few candidates are ever sorted (a vocabulary has
  // ~150k entries). Min-p keeps p >= min_p * p_max, i.e. logit >= max + T ln(min_p); top-k and
  // top-p keep prefixes of the sorted order, so applying the cuts in any order keeps the same set.
  const double T = config_.temperature;
  const float max_l = *std::max_element(work_.begin(), work_.end());
  const float floor = config_.min_p > 0 ? static_cast<float>(max_l + T * std::log(config_.min_p)) : -INFINITY;
  ids_.clear();
  for (size_t i = 0; i < n; ++i)
    if (work_[i] >= floor) ids_.push_back(static_cast<int32_t>(i));
  auto better = [&](int32_t a, int32_t b) { return work_[a] > work_[b] || (work_[a] == work_[b] && a < b); };
  if (config_.top_k > 0 && static_cast<size_t>(config_.top_k) < ids_.size()) {
    std::nth_element(ids_.begin(), ids_.begin() + config_.top_k, ids_.end(), better);
    ids_.resize(config_.top_k);
  }
  const size_t k = ids_.size();

  // Probabilities at the temperature: over the top-k when it is set, else over every token.
  auto weight = [&](int32_t id) { return std::exp((work_[id] - max_l) / T); };
  double total = 0;
  if (config_.top_k > 0)
    for (int32_t id : ids_) total += weight(id);
  else
    for (size_t i = 0; i < n; ++i) total += weight(static_cast<int32_t>(i));

  // Top-p: the smallest sorted prefix whose mass reaches top_p; sort a growing prefix until it does.
  size_t keep = k;
  if (config_.top_p < 1.0f) {
    size_t sorted = std::min<size_t>(k, 64);
    for (;;) {
      std::partial_sort(ids_.begin(), ids_.begin() + sorted, ids_.end(), better);
      double cum = 0;
      size_t i = 0;
      for (; i < sorted && cum < config_.top_p * total; ++i) cum += weight(ids_[i]);
      if (cum >= config_.top_p * total || sorted == k) {
        keep = i;
        break;
      }
      sorted = std::min(k, sorted * 8);
    }
  }
  std::vector<double>& p = probs_;
  p.resize(keep);
  for (size_t i = 0; i < keep; ++i) p[i] = weight(ids_[i]) / total;

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
