// Scalar attention tiles: the obviously right version each SIMD variant is tested against, and the
// fallback without SIMD (SLM_SIMD=scalar).
#include <algorithm>
#include <cmath>

#include "base/half.h"
#include "kernels/attention_tiles.h"

namespace slm::kernels {
namespace {

void gemm(const float* a, int64_t a_rs, int64_t a_ks, int64_t rows, const float* b, int64_t depth, int64_t mp,
          const float* alpha, bool accumulate, float* c) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t m = 0; m < mp; ++m) {
      float acc = accumulate ? c[r * mp + m] * (alpha ? alpha[m] : 1.0f) : 0.0f;
      for (int64_t i = 0; i < depth; ++i) acc += a[r * a_rs + i * a_ks] * b[i * mp + m];
      c[r * mp + m] = acc;
    }
}

void softmax_step(float* st, int64_t n, int64_t mp, float* run_max, float* alpha, float* sum) {
  for (int64_t m = 0; m < mp; ++m) {
    float mx = run_max[m];
    for (int64_t j = 0; j < n; ++j) mx = std::max(mx, st[j * mp + m]);
    alpha[m] = std::exp(run_max[m] - mx);
    float s = 0;
    for (int64_t j = 0; j < n; ++j) s += st[j * mp + m] = std::exp(st[j * mp + m] - mx);
    sum[m] = s;
    run_max[m] = mx;
  }
}

float value(float x) { return x; }
float value(uint16_t h) { return f16_to_f32(h); }

template <typename E>
void dot_rows(const float* q, int64_t rows, const E* k, int64_t k_stride, int64_t n, int64_t d, float* st,
              int64_t mp) {
  for (int64_t j = 0; j < n; ++j)
    for (int64_t r = 0; r < rows; ++r) {
      float acc = 0;
      for (int64_t i = 0; i < d; ++i) acc += q[r * d + i] * value(k[j * k_stride + i]);
      st[j * mp + r] = acc;
    }
}

template <typename E>
void pv_rows(const float* st, int64_t mp, int64_t rows, const E* v, int64_t v_stride, int64_t n, int64_t d,
             const float* alpha, float* o) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < d; ++i) {
      float acc = o[r * d + i] * (alpha ? alpha[r] : 1.0f);
      for (int64_t j = 0; j < n; ++j) acc += st[j * mp + r] * value(v[j * v_stride + i]);
      o[r * d + i] = acc;
    }
}

}  // namespace

const AttentionTiles& attention_tiles_scalar() {
  static const AttentionTiles t{"scalar",        1,
                                64,              gemm,
                                softmax_step,    dot_rows<float>,
                                pv_rows<float>,  dot_rows<uint16_t>,
                                pv_rows<uint16_t>};
  return t;
}

}  // namespace slm::kernels
