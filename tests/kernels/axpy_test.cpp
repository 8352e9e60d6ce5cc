// y += a·x: the SIMD variant against the scalar reference (one fused multiply-add per element,
// so at most one rounding apart).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "kernels/dot.h"

namespace slm::kernels {
namespace {

TEST(KernelAxpy, SimdMatchesScalar) {
  const DotKernels* simd = dot_avx2();
  if (!simd) GTEST_SKIP() << "CPU lacks AVX2";
  std::mt19937 rng(5);
  std::normal_distribution<float> d;
  for (int64_t n : {1, 7, 8, 9, 64, 100, 128}) {
    std::vector<float> x(n), y(n);
    for (auto& v : x) v = d(rng);
    for (auto& v : y) v = d(rng);
    auto want = y, got = y;
    dot_scalar().axpy_f32(0.37f, x.data(), want.data(), n);
    simd->axpy_f32(0.37f, x.data(), got.data(), n);
    for (int64_t i = 0; i < n; ++i) EXPECT_NEAR(got[i], want[i], 1e-6f * (std::fabs(want[i]) + 1)) << n << " " << i;
  }
}

}  // namespace
}  // namespace slm::kernels
