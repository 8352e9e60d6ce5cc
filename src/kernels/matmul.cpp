#include "kernels/matmul.h"

#include <vector>

#include "base/half.h"
#include "kernels/dot.h"

namespace slm::kernels {

void matmul(const Tensor& w, const float* x, int64_t n_tokens, float* y, ThreadPool& pool, const float* bias) {
  const int64_t out = w.rows(), in = w.cols();
  const size_t row_bytes = dtype_bytes(w.dtype, static_cast<size_t>(in));
  const auto* base = static_cast<const uint8_t*>(w.data);
  // Token blocks keep the activations being reused within cache while a row is hot.
  constexpr int64_t kTokenBlock = 32;
  pool.parallel_for(static_cast<size_t>(out), [&](size_t begin, size_t end, int) {
    thread_local std::vector<float> row_f32;
    for (int64_t t0 = 0; t0 < n_tokens; t0 += kTokenBlock) {
      const int64_t t1 = std::min(n_tokens, t0 + kTokenBlock);
      for (size_t o = begin; o < end; ++o) {
        const void* row = base + o * row_bytes;
        const float b = bias ? bias[o] : 0.0f;
        if (t1 - t0 == 1) {
          y[t0 * out + o] = dot_row(w.dtype, row, x + t0 * in, in) + b;
          continue;
        }
        const float* wrow;
        if (w.dtype == DType::F32) {
          wrow = static_cast<const float*>(row);
        } else {
          if (row_f32.size() < static_cast<size_t>(in)) row_f32.resize(in);
          row_to_f32(w.dtype, row, row_f32.data(), in);
          wrow = row_f32.data();
        }
        for (int64_t t = t0; t < t1; ++t) y[t * out + o] = dot_f32(wrow, x + t * in, in) + b;
      }
    }
  });
}

void matmul_reference(const Tensor& w, const float* x, int64_t n_tokens, float* y, const float* bias) {
  const int64_t out = w.rows(), in = w.cols();
  for (int64_t t = 0; t < n_tokens; ++t)
    for (int64_t o = 0; o < out; ++o) {
      double s = 0;
      for (int64_t i = 0; i < in; ++i) s += static_cast<double>(tensor_element(w, o * in + i)) * x[t * in + i];
      y[t * out + o] = static_cast<float>(s) + (bias ? bias[o] : 0.0f);
    }
}

}  // namespace slm::kernels
