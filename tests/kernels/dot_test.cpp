// Every SIMD dot/convert kernel against its scalar reference.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "base/half.h"
#include "kernels/dot.h"
#include "kernels/matmul.h"
#include "test_support.h"

namespace slm::kernels {
namespace {

using test::gaussian;

// Odd lengths reach every tail path of the 32- and 8-wide loops.
const int64_t kLengths[] = {1, 7, 8, 9, 31, 32, 33, 64, 100, 1000, 4099};

TEST(KernelDot, SimdMatchesScalar) {
  const DotKernels* simd = dot_avx2();
  if (!simd) GTEST_SKIP() << "CPU lacks AVX2/FMA/F16C";
  const DotKernels& ref = dot_scalar();
  for (int64_t n : kLengths) {
    auto a = gaussian(n, 1), b = gaussian(n, 2);
    std::vector<uint16_t> bf(n), hf(n);
    for (int64_t i = 0; i < n; ++i) {
      bf[i] = f32_to_bf16(a[i]);
      hf[i] = f32_to_f16(a[i]);
    }
    double mag = 0;
    for (int64_t i = 0; i < n; ++i) mag += std::abs(a[i] * b[i]);
    // Float sums in a different order differ by a few ulps of the summed magnitudes.
    const double bound = 1e-6 * mag + 1e-6;
    EXPECT_NEAR(simd->dot_f32(a.data(), b.data(), n), ref.dot_f32(a.data(), b.data(), n), bound) << n;
    EXPECT_NEAR(simd->dot_bf16(bf.data(), b.data(), n), ref.dot_bf16(bf.data(), b.data(), n), bound) << n;
    EXPECT_NEAR(simd->dot_f16(hf.data(), b.data(), n), ref.dot_f16(hf.data(), b.data(), n), bound) << n;

    // Conversions are exact.
    std::vector<float> x(n), y(n);
    simd->bf16_to_f32(bf.data(), x.data(), n);
    ref.bf16_to_f32(bf.data(), y.data(), n);
    EXPECT_EQ(x, y);
    simd->f16_to_f32(hf.data(), x.data(), n);
    ref.f16_to_f32(hf.data(), y.data(), n);
    EXPECT_EQ(x, y);
  }
}

// f32 -> f16 rounds to nearest even in both variants, also at the edges: ties, subnormals,
// overflow to infinity, values that round up into the next binade.
TEST(KernelDot, SimdF32ToF16MatchesScalar) {
  const DotKernels* simd = dot_avx2();
  if (!simd) GTEST_SKIP() << "CPU lacks AVX2/FMA/F16C";
  std::vector<float> x = gaussian(4099, 3);
  for (auto& v : x) v *= 300.0f;
  const float edges[] = {0.0f, -0.0f, 1.0f + std::ldexp(1.0f, -11), 1.0f + 3 * std::ldexp(1.0f, -11),
                         std::ldexp(1.0f, -24), std::ldexp(1.0f, -25), std::ldexp(3.0f, -26), 65504.0f, 65519.0f,
                         65520.0f, 1e6f, -1e6f, 2047.5f, 6.1e-5f, 1e-7f, -3e-6f};
  x.insert(x.begin(), std::begin(edges), std::end(edges));
  for (int64_t n : kLengths) {
    if (n > static_cast<int64_t>(x.size())) continue;
    std::vector<uint16_t> got(n), want(n);
    simd->f32_to_f16(x.data(), got.data(), n);
    dot_scalar().f32_to_f16(x.data(), want.data(), n);
    EXPECT_EQ(got, want) << n;
  }
}

TEST(KernelHalf, RoundTripsAndRounding) {
  EXPECT_EQ(f16_to_f32(f32_to_f16(1.0f)), 1.0f);
  EXPECT_EQ(f16_to_f32(f32_to_f16(-2.5f)), -2.5f);
  EXPECT_EQ(f16_to_f32(f32_to_f16(65504.0f)), 65504.0f);
  EXPECT_TRUE(std::isinf(f16_to_f32(f32_to_f16(1e6f))));
  EXPECT_EQ(f16_to_f32(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -24)), 0x0001);
  EXPECT_EQ(f32_to_f16(1.0f + std::ldexp(1.0f, -11)), 0x3c00);  // tie rounds to even
  EXPECT_EQ(bf16_to_f32(f32_to_bf16(3.140625f)), 3.140625f);
  EXPECT_EQ(f32_to_bf16(1.0f + std::ldexp(1.0f, -8)), 0x3f80);  // tie rounds to even
  // Every f16 bit pattern survives f16 -> f32 -> f16 (NaNs aside).
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = f16_to_f32(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    ASSERT_EQ(f32_to_f16(f), h) << h;
  }
}

TEST(KernelMatmul, MatchesReferenceForEveryDtypeAndThreadCount) {
  const int64_t out = 37, in = 70, tokens = 5;
  auto w32 = gaussian(out * in, 3), x = gaussian(tokens * in, 4), bias = gaussian(out, 5);
  std::vector<uint16_t> wbf(out * in), whf(out * in);
  for (size_t i = 0; i < w32.size(); ++i) {
    wbf[i] = f32_to_bf16(w32[i]);
    whf[i] = f32_to_f16(w32[i]);
  }
  const std::pair<DType, const void*> cases[] = {
      {DType::F32, w32.data()}, {DType::BF16, wbf.data()}, {DType::F16, whf.data()}};
  for (auto [dtype, data] : cases) {
    Tensor w{dtype, {out, in}, data};
    std::vector<float> ref(tokens * out);
    matmul_reference(w, x.data(), tokens, ref.data(), bias.data());
    std::vector<float> first;
    for (int threads : {1, 2, 3}) {
      ThreadPool pool(threads);
      for (int64_t n : {tokens, int64_t{1}}) {
        std::vector<float> y(n * out);
        matmul(w, x.data(), n, y.data(), pool, bias.data());
        for (int64_t i = 0; i < n * out; ++i) ASSERT_NEAR(y[i], ref[i], 1e-4) << dtype_name(dtype);
        if (n == tokens) {
          if (first.empty()) first = y;
          EXPECT_EQ(y, first) << "result depends on the thread count";
        }
      }
    }
  }
}

}  // namespace
}  // namespace slm::kernels
