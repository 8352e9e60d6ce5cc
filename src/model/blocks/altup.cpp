#include "model/blocks/altup.h"

#include <algorithm>
#include <cmath>

#include "kernels/matmul.h"
#include "kernels/norm.h"
#include "model/blocks/weights_util.h"

namespace slm {

namespace {

double rms(const float* x, int64_t n) {
  double ss = 0;
  for (int64_t i = 0; i < n; ++i) ss += static_cast<double>(x[i]) * x[i];
  return ss / n;
}

// Scales y (n values) to the RMS magnitude `target`; the floor keeps near-zero rows finite.
void match_magnitude(float* y, int64_t n, double target) {
  const double scale = target / std::sqrt(std::max(rms(y, n), 1e-5));
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<float>(y[i] * scale);
}

}  // namespace

AltUpLayer::AltUpLayer(const WeightStore& w, const ModelConfig& c, int64_t layer) : c_(c) {
  const int64_t H = c.hidden_size, N = c.altup.n_streams;
  const std::string p = c.layer_prefix(layer);
  router_ = &w.get(p + "altup_router.weight", {N, H});
  predict_ = &w.get(p + "altup_predict_coef.weight", {N * N, N});
  correct_ = &w.get(p + "altup_correct_coef.weight", {N, N});
  router_norm_ = load_vector_f32(w, p + "altup_router_norm.weight", H, c.norm_weight_offset);
  correct_output_scale_ = load_vector_f32(w, p + "altup_correct_scale.weight", H);
}

void AltUpLayer::route(const float* x, int64_t T, AltUpScratch& s, ThreadPool& pool) const {
  const int64_t H = c_.hidden_size, N = c_.altup.n_streams;
  grow(s.normed, T * H);
  grow(s.modalities, T * N);
  kernels::rms_norm(x, router_norm_.data(), s.normed.data(), T, H, c_.norm_eps);
  for (int64_t i = 0; i < T * H; ++i) s.normed[i] /= static_cast<float>(H);
  kernels::matmul(*router_, s.normed.data(), T, s.modalities.data(), pool);
  for (int64_t i = 0; i < T * N; ++i) s.modalities[i] = std::tanh(s.modalities[i]);
}

void AltUpLayer::predict(const float* streams, int64_t T, float* pred, AltUpScratch& s, ThreadPool& pool) const {
  const int64_t H = c_.hidden_size, N = c_.altup.n_streams;
  route(streams + c_.altup.active * T * H, T, s, pool);
  grow(s.coefs, T * N * N);
  kernels::matmul(*predict_, s.modalities.data(), T, s.coefs.data(), pool);
  for (int64_t j = 0; j < N; ++j)
    for (int64_t t = 0; t < T; ++t) {
      float* out = pred + (j * T + t) * H;
      std::copy(streams + (j * T + t) * H, streams + (j * T + t + 1) * H, out);
      for (int64_t k = 0; k < N; ++k) {
        const float cjk = s.coefs[t * N * N + j * N + k];
        const float* xk = streams + (k * T + t) * H;
        for (int64_t h = 0; h < H; ++h) out[h] += cjk * xk[h];
      }
    }
}

void AltUpLayer::correct(const float* pred, const float* activated, int64_t T, float* corrected, AltUpScratch& s,
                         ThreadPool& pool) const {
  const int64_t H = c_.hidden_size, N = c_.altup.n_streams;
  route(activated, T, s, pool);
  grow(s.coefs, T * N);
  kernels::matmul(*correct_, s.modalities.data(), T, s.coefs.data(), pool);
  const float* active = pred + c_.altup.active * T * H;
  for (int64_t j = 0; j < N; ++j)
    for (int64_t t = 0; t < T; ++t) {
      const float coef = s.coefs[t * N + j] + 1.0f;
      const float* pj = pred + (j * T + t) * H;
      float* out = corrected + (j * T + t) * H;
      for (int64_t h = 0; h < H; ++h) out[h] = pj[h] + (activated[t * H + h] - active[t * H + h]) * coef;
    }
}

AltUpStreams::AltUpStreams(const WeightStore& w, const ModelConfig& c) : c_(c) {
  const int64_t H = c.hidden_size;
  for (int64_t n = 1; n < c.altup.n_streams; ++n) {
    project_.push_back(&w.get("altup_proj." + std::to_string(n - 1) + ".weight", {H, H}));
    unembed_.push_back(&w.get("altup_unembd_proj." + std::to_string(n - 1) + ".weight", {H, H}));
  }
}

void AltUpStreams::expand(const float* x0, int64_t T, float* streams, ThreadPool& pool) const {
  const int64_t H = c_.hidden_size;
  std::copy(x0, x0 + T * H, streams);
  for (size_t n = 0; n < project_.size(); ++n) {
    float* y = streams + (n + 1) * T * H;
    kernels::matmul(*project_[n], x0, T, y, pool);
    for (int64_t t = 0; t < T; ++t) match_magnitude(y + t * H, H, std::sqrt(rms(x0 + t * H, H)));
  }
}

void AltUpStreams::merge(const float* streams, int64_t T, float* out, std::vector<float>& scratch,
                         ThreadPool& pool) const {
  const int64_t H = c_.hidden_size, N = c_.altup.n_streams;
  grow(scratch, T * H);
  std::copy(streams, streams + T * H, out);
  for (size_t n = 0; n < unembed_.size(); ++n) {
    kernels::matmul(*unembed_[n], streams + (n + 1) * T * H, T, scratch.data(), pool);
    for (int64_t t = 0; t < T; ++t) {
      match_magnitude(scratch.data() + t * H, H, std::sqrt(rms(streams + t * H, H)));
      for (int64_t h = 0; h < H; ++h) out[t * H + h] += scratch[t * H + h];
    }
  }
  for (int64_t i = 0; i < T * H; ++i) out[i] /= static_cast<float>(N);
}

}  // namespace slm
