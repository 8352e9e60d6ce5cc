#include "model/blocks/mlp_block.h"

#include <algorithm>
#include <cmath>

#include "base/parallel_rows.h"
#include "kernels/activation.h"
#include "kernels/matmul.h"
#include "model/blocks/weights_util.h"

namespace slm {

// Keeps what lies above mean + cutoff * std of the row (population std), shifted down by that cut.
static void gaussian_top_k(float* g, int64_t n, double cutoff) {
  double mean = 0;
  for (int64_t i = 0; i < n; ++i) mean += g[i];
  mean /= n;
  double var = 0;
  for (int64_t i = 0; i < n; ++i) var += (g[i] - mean) * (g[i] - mean);
  const double cut = mean + std::sqrt(var / n) * cutoff;
  for (int64_t i = 0; i < n; ++i) g[i] = static_cast<float>(std::max(0.0, g[i] - cut));
}

MlpBlock::MlpBlock(const WeightStore& w, const ModelConfig& c, int64_t layer)
    : c_(c),
      width_(c.ffn_width(layer)),
      sparsity_cutoff_(c.layer_sparsity_cutoff.empty() ? 0.0 : c.layer_sparsity_cutoff[layer]) {
  const int64_t H = c.hidden_size, F = width_;
  const std::string p = c.layer_prefix(layer);
  w_gate_ = &w.get(p + "ffn_gate.weight", {F, H});
  w_up_ = &w.get(p + "ffn_up.weight", {F, H});
  w_down_ = &w.get(p + "ffn_down.weight", {H, F});
}

void MlpBlock::forward(const float* xn, int64_t T, LayerBuffers& buf, ThreadPool& pool, float* out) const {
  const int64_t F = width_;
  grow(buf.a, T * F);
  grow(buf.b, T * F);
  float* const gate = buf.a.data();
  float* const up = buf.b.data();
  const kernels::MatmulOutput projections[2] = {{w_gate_, gate}, {w_up_, up}};
  kernels::matmul_group(projections, xn, T, pool);
  if (sparsity_cutoff_ != 0)
    for (int64_t t = 0; t < T; ++t) gaussian_top_k(gate + t * F, F, sparsity_cutoff_);
  float* hidden = gate;  // element-wise, so in place
  for_row_ranges(pool, T, [&](int64_t b, int64_t e) {
    const int64_t o = b * F, n = (e - b) * F;
    if (c_.activation == Activation::GeluTanh)
      kernels::gelu_tanh_mul(gate + o, up + o, hidden + o, n);
    else
      kernels::silu_mul(gate + o, up + o, hidden + o, n);
  });
  kernels::matmul(*w_down_, hidden, T, out, pool);
}

}  // namespace slm
