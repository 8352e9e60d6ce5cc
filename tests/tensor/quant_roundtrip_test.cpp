// dequantize(quantize(x)) on Gaussian data: the relative RMS error of each type stays within a
// bound measured on this data with margin (measured values in the comments).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "tensor/quant/quant.h"
#include "test_support.h"

namespace slm::quant {
namespace {

using test::gaussian;

double relative_rms_error(DType t, const std::vector<float>& x) {
  const int64_t n = static_cast<int64_t>(x.size());
  std::vector<uint8_t> q(dtype_bytes(t, n));
  std::vector<float> back(n);
  quantize_row(t, x.data(), q.data(), n);
  dequantize_row(t, q.data(), back.data(), n);
  double err = 0, ref = 0;
  for (int64_t i = 0; i < n; ++i) err += (back[i] - x[i]) * (back[i] - x[i]), ref += x[i] * x[i];
  return ref > 0 ? std::sqrt(err / ref) : std::sqrt(err);
}

struct Bound {
  DType type;
  double max_relative_rms;
};

TEST(QuantRoundTrip, GaussianErrorWithinBounds) {
  const auto x = gaussian(256 * 64, 7);
  const Bound bounds[] = {
      {DType::Q8_0, 0.007},  // measured 0.0053 (step/sqrt(12) of a 127-level absmax grid)
      {DType::Q4_0, 0.10},   // measured 0.0856
      {DType::Q4_1, 0.095},  // measured 0.0780
      {DType::Q5_0, 0.05},   // measured 0.0423
      {DType::Q5_1, 0.045},  // measured 0.0377
      {DType::Q4_K, 0.08},   // measured 0.0711
      {DType::Q5_K, 0.042},  // measured 0.0360
      {DType::Q6_K, 0.021},  // measured 0.0177
  };
  for (const auto& b : bounds) {
    const double e = relative_rms_error(b.type, x);
    RecordProperty(dtype_name(b.type), std::to_string(e));
    EXPECT_LE(e, b.max_relative_rms) << dtype_name(b.type);
    std::printf("%-5s relative RMS error %.4f\n", dtype_name(b.type), e);
  }
}

TEST(QuantRoundTrip, ZerosAndConstantRows) {
  for (DType t : {DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q4_K, DType::Q5_K,
                  DType::Q6_K}) {
    for (float c : {0.0f, 1.5f, -2.0f}) {
      std::vector<float> x(256, c);
      EXPECT_LE(relative_rms_error(t, x), c == 0 ? 0.0 : 0.02) << dtype_name(t) << " constant " << c;
    }
  }
}

}  // namespace
}  // namespace slm::quant
