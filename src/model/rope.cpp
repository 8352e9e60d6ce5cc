#include "model/rope.h"

#include <algorithm>
#include <cmath>

namespace slm {

namespace {

// Llama 3.x: keep high frequencies, divide low ones by `factor`, blend in between.
double llama3_scale(double inv_freq, const RopeScaling& rs) {
  const double low_wavelen = rs.original_max_positions / rs.low_freq_factor;
  const double high_wavelen = rs.original_max_positions / rs.high_freq_factor;
  const double wavelen = 2 * M_PI / inv_freq;
  if (wavelen < high_wavelen) return inv_freq;
  if (wavelen > low_wavelen) return inv_freq / rs.factor;
  const double smooth = (rs.original_max_positions / wavelen - rs.low_freq_factor) /
                        (rs.high_freq_factor - rs.low_freq_factor);
  return (1 - smooth) * inv_freq / rs.factor + smooth * inv_freq;
}

// YaRN: interpolate low frequencies, extrapolate high ones, linear ramp between the
// correction dims computed from the original context length.
void apply_yarn(std::vector<double>& inv_freq, int64_t dim, double theta, const RopeScaling& rs, double& mscale) {
  auto correction_dim = [&](double rotations) {
    return dim * std::log(rs.original_max_positions / (rotations * 2 * M_PI)) / (2 * std::log(theta));
  };
  double low = std::max(0.0, std::floor(correction_dim(rs.beta_fast)));
  double high = std::min(static_cast<double>(dim - 1), std::ceil(correction_dim(rs.beta_slow)));
  if (low == high) high += 0.001;
  for (size_t i = 0; i < inv_freq.size(); ++i) {
    const double ramp = std::clamp((static_cast<double>(i) - low) / (high - low), 0.0, 1.0);
    const double extrapolation = 1 - ramp;
    inv_freq[i] = inv_freq[i] / rs.factor * (1 - extrapolation) + inv_freq[i] * extrapolation;
  }
  mscale = rs.attention_factor ? *rs.attention_factor : (rs.factor > 1 ? 0.1 * std::log(rs.factor) + 1 : 1.0);
}

}  // namespace

RopeFrequencies compute_rope_frequencies(const ModelConfig& c, double theta, bool scaled) {
  RopeFrequencies r;
  r.rot_dim = c.rotary_dim();
  const int64_t half = r.rot_dim / 2;
  std::vector<double> inv(half);
  for (int64_t i = 0; i < half; ++i) inv[i] = 1.0 / std::pow(theta, 2.0 * i / r.rot_dim);
  if (!scaled) {
    r.inv_freq.assign(inv.begin(), inv.end());
    return r;
  }

  const RopeScaling& rs = c.rope_scaling;
  if (rs.type == RopeScalingType::LongRope) {
    r.inv_freq.resize(half);
    r.inv_freq_long.resize(half);
    for (int64_t i = 0; i < half; ++i) {
      r.inv_freq[i] = static_cast<float>(inv[i] / rs.short_factors[i]);
      r.inv_freq_long[i] = static_cast<float>(inv[i] / rs.long_factors[i]);
    }
    r.long_after = rs.original_max_positions;
    r.mscale = rs.attention_factor.value_or(1.0);
    return r;
  }
  if (!c.rope_freq_divisors.empty()) {
    for (int64_t i = 0; i < half; ++i) inv[i] /= c.rope_freq_divisors[i];
  } else if (rs.type == RopeScalingType::Llama3) {
    for (auto& f : inv) f = llama3_scale(f, rs);
  }
  if (rs.type == RopeScalingType::Linear) {
    for (auto& f : inv) f /= rs.factor;
  } else if (rs.type == RopeScalingType::Yarn) {
    apply_yarn(inv, r.rot_dim, theta, rs, r.mscale);
  }
  r.inv_freq.assign(inv.begin(), inv.end());
  return r;
}

}  // namespace slm
