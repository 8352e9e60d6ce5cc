#include "model/blocks/mlp_block.h"

#include "kernels/activation.h"
#include "kernels/matmul.h"
#include "model/blocks/weights_util.h"

namespace slm {

MlpBlock::MlpBlock(const WeightStore& w, const ModelConfig& c, int64_t layer) : c_(c) {
  const int64_t H = c.hidden_size, F = c.intermediate_size;
  const std::string p = "blk." + std::to_string(layer) + ".";
  w_gate_ = &w.get(p + "ffn_gate.weight", {F, H});
  w_up_ = &w.get(p + "ffn_up.weight", {F, H});
  w_down_ = &w.get(p + "ffn_down.weight", {H, F});
}

void MlpBlock::forward(const float* xn, int64_t T, MlpScratch& s, ThreadPool& pool, float* out) const {
  const int64_t F = c_.intermediate_size;
  grow(s.gate, T * F);
  grow(s.up, T * F);
  grow(s.hidden, T * F);
  kernels::matmul(*w_gate_, xn, T, s.gate.data(), pool);
  kernels::matmul(*w_up_, xn, T, s.up.data(), pool);
  if (c_.activation == Activation::GeluTanh)
    kernels::gelu_tanh_mul(s.gate.data(), s.up.data(), s.hidden.data(), T * F);
  else
    kernels::silu_mul(s.gate.data(), s.up.data(), s.hidden.data(), T * F);
  kernels::matmul(*w_down_, s.hidden.data(), T, out, pool);
}

}  // namespace slm
