// The reference: for each (token, head), every score, the softmax with the global maximum and a
// double sum, then the weighted sum of values. Plain loops so it depends on no SIMD kernel.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/half.h"
#include "kernels/attention.h"

namespace slm::kernels {

void attention_reference(const float* q, const void* k, const void* v, float* out, int64_t n_tokens, int64_t pos0,
                         const AttentionShape& s, float* scratch, ThreadPool& pool) {
  const bool f16 = s.kv_type == DType::F16;
  auto element = [&](const void* base, int64_t i) {
    return f16 ? f16_to_f32(static_cast<const uint16_t*>(base)[i]) : static_cast<const float*>(base)[i];
  };
  const int64_t group = s.n_heads / s.n_kv_heads;
  const int64_t q_stride = s.n_heads * s.head_dim;
  const int64_t max_len = pos0 + n_tokens;
  pool.parallel_for(static_cast<size_t>(n_tokens * s.n_heads), [&](size_t begin, size_t end, int thread) {
    float* scores = scratch + thread * max_len;
    for (size_t job = begin; job < end; ++job) {
      const int64_t t = static_cast<int64_t>(job) / s.n_heads, h = static_cast<int64_t>(job) % s.n_heads;
      const int64_t pos = pos0 + t;
      const int64_t first = s.window > 0 ? std::max<int64_t>(0, pos - s.window + 1) : 0;
      const float* qh = q + t * q_stride + h * s.head_dim;
      const int64_t kv_off = s.head_offset(h / group);
      float max_score = -INFINITY;
      auto row = [&](int64_t j) { return (s.ring ? j % s.ring : j) * s.kv_stride + kv_off; };
      for (int64_t j = first; j <= pos; ++j) {
        float dot = 0;
        for (int64_t d = 0; d < s.head_dim; ++d) dot += qh[d] * element(k, row(j) + d);
        scores[j] = dot * s.scale;
        max_score = std::max(max_score, scores[j]);
      }
      double sum = 0;
      for (int64_t j = first; j <= pos; ++j) {
        scores[j] = std::exp(scores[j] - max_score);
        sum += scores[j];
      }
      const float inv = static_cast<float>(1.0 / sum);
      float* oh = out + t * q_stride + h * s.head_dim;
      std::memset(oh, 0, s.head_dim * sizeof(float));
      for (int64_t j = first; j <= pos; ++j) {
        const float p = scores[j] * inv;
        for (int64_t d = 0; d < s.head_dim; ++d) oh[d] += p * element(v, row(j) + d);
      }
    }
  });
}

}  // namespace slm::kernels
