#include "model/blocks/laurel.h"

#include "kernels/matmul.h"
#include "kernels/norm.h"
#include "model/blocks/weights_util.h"

namespace slm {

LaurelBlock::LaurelBlock(const WeightStore& w, const ModelConfig& c, int64_t layer) : c_(c) {
  const int64_t H = c.hidden_size, R = c.altup.laurel_rank;
  const std::string p = c.layer_prefix(layer);
  left_ = &w.get(p + "laurel_l.weight", {R, H});
  right_ = &w.get(p + "laurel_r.weight", {H, R});
  post_norm_ = load_vector_f32(w, p + "laurel_post_norm.weight", H, c.norm_weight_offset);
}

void LaurelBlock::forward(const float* xn, int64_t T, std::vector<float>& scratch, ThreadPool& pool,
                          float* out) const {
  const int64_t H = c_.hidden_size;
  grow(scratch, T * c_.altup.laurel_rank);
  kernels::matmul(*left_, xn, T, scratch.data(), pool);
  kernels::matmul(*right_, scratch.data(), T, out, pool);
  kernels::rms_norm(out, post_norm_.data(), out, T, H, c_.norm_eps);
  for (int64_t i = 0; i < T * H; ++i) out[i] += xn[i];
}

}  // namespace slm
