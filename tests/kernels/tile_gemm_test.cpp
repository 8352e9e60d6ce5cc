// The AMX prefill path: bf16 row conversion (vector == scalar, bit for bit), panel packing
// (== reference), the tile GEMM (== scalar f32 accumulation of the same bf16 products within
// a stated bound) and matmul on tiles against double precision over the block format.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "base/cpu_features.h"
#include "base/half.h"
#include "kernels/bf16_rows.h"
#include "kernels/matmul.h"
#include "kernels/tile_gemm.h"
#include "tensor/quant/quant.h"
#include "test_support.h"

namespace slm::kernels {
namespace {

using test::gaussian;

std::vector<uint16_t> bf16_of(const std::vector<float>& x) {
  std::vector<uint16_t> r(x.size());
  f32_to_bf16_row_reference(x.data(), r.data(), static_cast<int64_t>(x.size()));
  return r;
}

// Rows quantized from Gaussian data whose scale changes per row (from 1e-3 to 1e3).
std::vector<uint8_t> quantized_rows(DType t, int64_t rows, int64_t n, uint32_t seed) {
  std::vector<uint8_t> q(dtype_bytes(t, rows * n));
  const size_t row_bytes = dtype_bytes(t, n);
  for (int64_t r = 0; r < rows; ++r) {
    const auto x = gaussian(n, seed + r, std::pow(10.0f, static_cast<float>(r % 7) - 3));
    quant::quantize_row(t, x.data(), q.data() + r * row_bytes, n);
  }
  return q;
}

const DType kVectorTypes[] = {DType::Q8_0, DType::Q4_0, DType::Q4_K, DType::Q5_K, DType::Q6_K};

TEST(KernelBf16Rows, VectorEqualsScalarBitForBit) {
  if (!bf16_row_avx512(DType::Q8_0)) GTEST_SKIP() << "no AVX-512 BF16 on this CPU";
  const int64_t n = 1024, rows = 14;
  for (DType t : kVectorTypes) {
    const auto q = quantized_rows(t, rows, n, 5);
    const size_t row_bytes = dtype_bytes(t, n);
    std::vector<uint16_t> want(n), got(n);
    for (int64_t r = 0; r < rows; ++r) {
      bf16_row_reference(t, q.data() + r * row_bytes, want.data(), n);
      bf16_row_avx512(t)(q.data() + r * row_bytes, got.data(), n);
      ASSERT_EQ(0, std::memcmp(want.data(), got.data(), n * 2)) << dtype_name(t) << " row " << r;
    }
  }
}

// Normal floats (the vector conversion flushes subnormals), including exact ties.
TEST(KernelBf16Rows, ActivationRoundingEqualsReference) {
  auto x = gaussian(4099, 7, 30.0f);
  for (size_t i = 0; i < 64; ++i) {  // ties: the low 16 bits exactly 0x8000, odd and even
    uint32_t bits = 0x3f800000u + (static_cast<uint32_t>(i) << 16) + 0x8000u;
    std::memcpy(&x[i], &bits, 4);
  }
  std::vector<uint16_t> want(x.size()), got(x.size());
  f32_to_bf16_row_reference(x.data(), want.data(), static_cast<int64_t>(x.size()));
  f32_to_bf16_row(x.data(), got.data(), static_cast<int64_t>(x.size()));
  EXPECT_EQ(0, std::memcmp(want.data(), got.data(), x.size() * 2));
}

TEST(KernelTileGemm, PackEqualsReference) {
  for (int64_t k : {32, 64, 288}) {
    const auto rows = bf16_of(gaussian(32 * k, 3));
    for (int used : {1, 15, 16, 17, 32}) {
      std::vector<uint16_t> want(panel_elements(k)), got(panel_elements(k), 0xffff);
      pack_panel_reference(rows.data(), used, k, want.data());
      pack_panel(rows.data(), used, k, got.data());
      EXPECT_EQ(want, got) << "k " << k << " rows " << used;
    }
  }
}

TEST(KernelTileGemm, AmxMatchesScalarProducts) {
  if (!cpu_features().amx_bf16) GTEST_SKIP() << "no AMX-BF16 on this CPU";
  for (int64_t k : {32, 256, 1056}) {
    const auto wrows = bf16_of(gaussian(32 * k, 21));
    for (int used : {32, 17, 5}) {
      std::vector<uint16_t> panel(panel_elements(k));
      pack_panel_reference(wrows.data(), used, k, panel.data());
      for (int64_t m : {1, 15, 16, 17, 31, 32, 33, 70}) {
        // Tiles of rows of k + 64 values, of which the gemm reads values 32 .. k + 32 (a k slice).
        const int64_t full = k + 64, padded = (m + 31) / 32 * 32;
        const auto rows = bf16_of(gaussian(padded * full, 22 + m));
        std::vector<uint16_t> x(padded * full);
        for (int64_t t = 0; t < padded; ++t) scatter_row_to_tiles(rows.data() + t * full, t, full, x.data());
        const auto bias = gaussian(32, 23);
        for (int mode = 0; mode < 3; ++mode) {  // zero start, bias start, accumulate onto y
          const int64_t y_stride = used + 3;
          auto want = gaussian(m * y_stride, 24);
          auto got = want;
          TileGemmArgs a{panel.data(), used, x.data() + tile_offset(0, 32, full), 16 * full, m, k, want.data(), y_stride,
                         mode == 1 ? bias.data() : nullptr, mode == 2};
          tile_gemm_reference(a);
          a.y = got.data();
          tile_gemm_amx(a);
          for (int64_t t = 0; t < m; ++t)
            for (int64_t r = 0; r < y_stride; ++r) {
              if (r >= used) {  // outside the panel: untouched
                ASSERT_EQ(got[t * y_stride + r], want[t * y_stride + r]);
                continue;
              }
              double mag = 1.0;
              for (int64_t i = 0; i < k; ++i)
                mag += std::fabs(bf16_to_f32(rows[t * full + 32 + i]) * bf16_to_f32(wrows[r * k + i]));
              // Both sum the same exact products in f32, in different orders.
              ASSERT_NEAR(got[t * y_stride + r], want[t * y_stride + r], 2e-6 * mag)
                  << "k " << k << " rows " << used << " m " << m << " mode " << mode;
            }
        }
      }
    }
  }
}

// matmul over tiles against double precision over the dequantized weights: bf16 keeps 8
// significant bits, so each product is off by at most ~2^-8 of itself.
TEST(KernelTileGemm, MatmulOnTilesMatchesReference) {
  if (!cpu_features().amx_bf16) GTEST_SKIP() << "no AMX-BF16 on this CPU";
  struct Case { DType t; int64_t in, out, tokens; };
  const Case cases[] = {{DType::Q8_0, 512, 37, 16}, {DType::Q4_K, 512, 64, 40}, {DType::Q6_K, 768, 33, 17},
                        {DType::Q5_K, 256, 32, 33}, {DType::Q4_1, 256, 20, 20},  // scalar row fallback
                        {DType::Q4_0, 4096, 35, 300}};                           // k cut in slices
  for (const auto& c : cases) {
    const auto w = quantized_rows(c.t, c.out, c.in, 31);
    Tensor wt{c.t, {c.out, c.in}, w.data()};
    const auto x = gaussian(c.in * c.tokens, 32);
    const auto bias = gaussian(c.out, 33);
    std::vector<float> want(c.out * c.tokens), one(c.out * c.tokens), two(c.out * c.tokens);
    matmul_reference(wt, x.data(), c.tokens, want.data(), bias.data());
    ThreadPool p1(1), p2(2);
    matmul(wt, x.data(), c.tokens, one.data(), p1, bias.data());
    matmul(wt, x.data(), c.tokens, two.data(), p2, bias.data());
    std::vector<float> wf(c.in * c.out);
    quant::dequantize_row(c.t, w.data(), wf.data(), c.in * c.out);
    for (int64_t tok = 0; tok < c.tokens; ++tok)
      for (int64_t o = 0; o < c.out; ++o) {
        double mag = 0;
        for (int64_t i = 0; i < c.in; ++i) mag += std::fabs(wf[o * c.in + i] * x[tok * c.in + i]);
        ASSERT_NEAR(one[tok * c.out + o], want[tok * c.out + o], mag / 128 + 1e-6) << dtype_name(c.t);
        ASSERT_EQ(one[tok * c.out + o], two[tok * c.out + o]) << "thread count changed the result";
      }
  }
}

}  // namespace
}  // namespace slm::kernels
