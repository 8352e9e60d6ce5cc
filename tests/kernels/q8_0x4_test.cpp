// Q8_0x4 (four Q8_0 rows interleaved): the layout round-trips, its kernels equal their scalar
// references, the reference equals the plain Q8_0 kernel row by row, and matmul over an
// interleaved matrix gives what it gives over the plain one, on every path (decode, small
// batches, AMX prefill, grouped q/k/v).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "kernels/bf16_rows.h"
#include "kernels/matmul.h"
#include "kernels/q8_0x4_kernels.h"
#include "kernels/quant_dot.h"
#include "tensor/quant/blocks.h"
#include "tensor/quant/q8_0x4.h"
#include "tensor/quant/quant.h"
#include "test_support.h"

namespace slm::kernels {
namespace {

using test::gaussian;

std::vector<uint8_t> q8_0_rows(int64_t rows, int64_t n, uint32_t seed) {
  const auto x = gaussian(rows * n, seed);
  std::vector<uint8_t> q(dtype_bytes(DType::Q8_0, rows * n));
  quant::quantize_row(DType::Q8_0, x.data(), q.data(), rows * n);
  return q;
}

// The same matrix interleaved group by group.
std::vector<uint8_t> interleaved(std::vector<uint8_t> plain, int64_t rows, int64_t n) {
  quant::interleave_q8_0x4_in_place(plain.data(), rows / 4, n);
  return plain;
}

std::vector<uint8_t> activations(int64_t n, int tokens, uint32_t seed) {
  const size_t ab = act_row_bytes(DType::Q8_0, n);
  std::vector<uint8_t> a(ab * tokens);
  const auto x = gaussian(n * tokens, seed);
  for (int t = 0; t < tokens; ++t) quantize_activations(DType::Q8_0, x.data() + t * n, a.data() + t * ab, n);
  return a;
}

TEST(Q8x4Layout, Fits) {
  EXPECT_TRUE(quant::q8_0x4_fits({4, 256}));
  EXPECT_TRUE(quant::q8_0x4_fits({8192, 3072}));
  EXPECT_FALSE(quant::q8_0x4_fits({6, 256}));   // rows not in fours
  EXPECT_FALSE(quant::q8_0x4_fits({4, 640}));   // 640 is not whole 256-value spans
  EXPECT_FALSE(quant::q8_0x4_fits({1024}));     // not a matrix
  EXPECT_FALSE(quant::q8_0x4_fits({2, 4, 256}));
}

TEST(Q8x4Layout, RoundTripsAndDequantizesAsPlainRows) {
  for (int64_t n : {256, 512, 3072}) {
    const auto plain = q8_0_rows(4, n, static_cast<uint32_t>(n));
    const size_t row_bytes = dtype_bytes(DType::Q8_0, n);
    std::vector<uint8_t> group(4 * row_bytes), back(row_bytes);
    quant::interleave_q8_0x4(plain.data(), row_bytes, n, group.data());
    EXPECT_NE(0, std::memcmp(group.data(), plain.data(), group.size())) << "the layout did not change";
    for (int r = 0; r < 4; ++r) {
      quant::deinterleave_q8_0x4_row(group.data(), r, n, back.data());
      EXPECT_EQ(0, std::memcmp(back.data(), plain.data() + r * row_bytes, row_bytes)) << "n " << n << " row " << r;
      std::vector<float> want(n), got(n);
      quant::dequantize_row(DType::Q8_0, plain.data() + r * row_bytes, want.data(), n);
      quant::dequantize_q8_0x4_row(group.data(), r, 0, n, got.data());
      EXPECT_EQ(got, want);
      // A slice in the middle (a k-slice of the tile GEMM).
      if (n >= 512) {
        std::vector<float> part(256);
        quant::dequantize_q8_0x4_row(group.data(), r, 256, 256, part.data());
        EXPECT_TRUE(std::equal(part.begin(), part.end(), want.begin() + 256));
      }
    }
  }
}

// The reference is the plain Q8_0 scalar kernel, row by row, bit for bit.
TEST(Q8x4Kernels, ReferenceEqualsPlainScalarKernel) {
  const int64_t n = 768;
  const auto plain = q8_0_rows(4, n, 3);
  const auto group = interleaved(plain, 4, n);
  const auto a = activations(n, 3, 4);
  const size_t ab = act_row_bytes(DType::Q8_0, n), row_bytes = dtype_bytes(DType::Q8_0, n);
  float got[12], want[3];
  q8_0x4_dot_reference(group.data(), a.data(), ab, 3, n, got);
  for (int r = 0; r < 4; ++r) {
    quant_dot_scalar().get(DType::Q8_0)(plain.data() + r * row_bytes, a.data(), ab, 3, n, want);
    for (int t = 0; t < 3; ++t) EXPECT_EQ(got[4 * t + r], want[t]) << "row " << r << " token " << t;
  }
}

// With unit scales every result is an integer below 2^24, so the vector kernel must equal the
// reference exactly: its block sums (and the -128·Σx correction) are exact.
TEST(Q8x4Kernels, Avx512IntegerSumsExact) {
  const Q8x4DotFn simd = q8_0x4_dot_avx512();
  if (!simd) GTEST_SKIP() << "CPU lacks AVX-512 VNNI";
  std::mt19937 rng(9);
  for (int64_t n : {256, 1024}) {
    auto plain = q8_0_rows(4, n, 5);
    for (size_t o = 0; o < plain.size(); o += sizeof(quant::BlockQ8_0)) {
      plain[o] = 0x00, plain[o + 1] = 0x3c;  // fp16 1.0
      for (int i = 2; i < 34; ++i) plain[o + i] = static_cast<uint8_t>(rng());  // every code, -128 included
    }
    const auto group = interleaved(plain, 4, n);
    for (int nt = 1; nt <= kMaxTokenTile; ++nt) {
      auto a = activations(n, nt, 6);
      const size_t ab = act_row_bytes(DType::Q8_0, n);
      for (int t = 0; t < nt; ++t) {
        auto* blocks = reinterpret_cast<quant::ActBlock32*>(a.data() + t * ab);
        for (int64_t b = 0; b < n / 32; ++b) blocks[b].d = 1.0f;
      }
      float got[4 * kMaxTokenTile], want[4 * kMaxTokenTile];
      simd(group.data(), a.data(), ab, nt, n, got);
      q8_0x4_dot_reference(group.data(), a.data(), ab, nt, n, want);
      for (int i = 0; i < 4 * nt; ++i) {
        EXPECT_EQ(got[i], want[i]) << "n " << n << " nt " << nt << " i " << i;
        EXPECT_EQ(want[i], std::trunc(want[i]));
      }
    }
  }
}

TEST(Q8x4Kernels, Avx512MatchesReference) {
  const Q8x4DotFn simd = q8_0x4_dot_avx512();
  if (!simd) GTEST_SKIP() << "CPU lacks AVX-512 VNNI";
  for (int64_t n : {256, 3072}) {
    const auto plain = q8_0_rows(4, n, 7);
    const auto group = interleaved(plain, 4, n);
    const auto a = activations(n, kMaxTokenTile, 8);
    const size_t ab = act_row_bytes(DType::Q8_0, n);
    for (int nt = 1; nt <= kMaxTokenTile; ++nt) {
      float got[4 * kMaxTokenTile], want[4 * kMaxTokenTile];
      simd(group.data(), a.data(), ab, nt, n, got);
      q8_0x4_dot_reference(group.data(), a.data(), ab, nt, n, want);
      // Only the order of the float sums differs: bound by the sum of |terms|.
      for (int t = 0; t < nt; ++t)
        for (int r = 0; r < 4; ++r) {
          std::vector<float> w(n);
          quant::dequantize_q8_0x4_row(group.data(), r, 0, n, w.data());
          const auto* xb = reinterpret_cast<const quant::ActBlock32*>(a.data() + t * ab);
          double mag = 0;
          for (int64_t i = 0; i < n; ++i) mag += std::fabs(w[i] * xb[i / 32].d * xb[i / 32].qs[i % 32]);
          EXPECT_NEAR(got[4 * t + r], want[4 * t + r], 1e-6 * mag) << "n " << n << " nt " << nt;
        }
    }
  }
}

TEST(Q8x4Kernels, Bf16ConversionEqualsPlainRows) {
  const int64_t n = 768;
  const auto plain = q8_0_rows(4, n, 10);
  const auto group = interleaved(plain, 4, n);
  const size_t row_bytes = dtype_bytes(DType::Q8_0, n);
  for (Q8x4Bf16Fn f : {q8_0x4_to_bf16_reference, q8_0x4_to_bf16_avx512()}) {
    if (!f) continue;
    std::vector<uint16_t> got(4 * 512), want(n);
    f(group.data(), 256, 512, got.data(), 512);  // values 256..767 of each row
    for (int r = 0; r < 4; ++r) {
      bf16_row_reference(DType::Q8_0, plain.data() + r * row_bytes, want.data(), n);
      EXPECT_TRUE(std::equal(got.begin() + r * 512, got.begin() + (r + 1) * 512, want.begin() + 256)) << "row " << r;
    }
  }
}

// matmul over the interleaved matrix against the plain one: decode (one token), a small batch
// (the token-tile path), a prompt (the AMX tiles where the CPU has them), with bias, any thread
// count. The block sums are the same; only float summation order differs on the vector paths.
TEST(Q8x4Matmul, MatchesPlainQ8_0) {
  if (!q8_0x4_dot_best()) GTEST_SKIP() << "no Q8_0x4 kernel on this CPU";
  const int64_t in = 512, out = 44;
  const auto plain = q8_0_rows(out, in, 11);
  const auto inter = interleaved(plain, out, in);
  const Tensor wp{DType::Q8_0, {out, in}, plain.data()}, wi{DType::Q8_0x4, {out, in}, inter.data()};
  const auto bias = gaussian(out, 12);
  for (int64_t tokens : {1, 5, 40}) {
    const auto x = gaussian(in * tokens, 13);
    std::vector<float> want(out * tokens), ref(out * tokens), one(out * tokens), three(out * tokens);
    ThreadPool p1(1), p3(3);
    matmul(wp, x.data(), tokens, want.data(), p1, bias.data());
    matmul_reference(wi, x.data(), tokens, ref.data(), bias.data());
    matmul(wi, x.data(), tokens, one.data(), p1, bias.data());
    matmul(wi, x.data(), tokens, three.data(), p3, bias.data());
    std::vector<float> wf(in);
    for (int64_t t = 0; t < tokens; ++t)
      for (int64_t o = 0; o < out; ++o) {
        quant::dequantize_row(DType::Q8_0, plain.data() + o * dtype_bytes(DType::Q8_0, in), wf.data(), in);
        double mag = 0;
        for (int64_t i = 0; i < in; ++i) mag += std::fabs(wf[i] * x[t * in + i]);
        const int64_t k = t * out + o;
        EXPECT_NEAR(one[k], want[k], 1e-5 * mag + 1e-6) << "tokens " << tokens << " row " << o;
        EXPECT_NEAR(ref[k], want[k], 0.01 * mag + 1e-4) << "the reference reads the rows wrong";
        EXPECT_EQ(one[k], three[k]) << "thread count changed the result";
      }
  }
}

// q, k and v as one pass: equal to separate calls, also mixed with a plain Q8_0 matrix.
TEST(Q8x4Matmul, GroupEqualsSeparateCalls) {
  if (!q8_0x4_dot_best()) GTEST_SKIP() << "no Q8_0x4 kernel on this CPU";
  const int64_t in = 256;
  const int64_t rows[3] = {64, 32, 36};
  const DType types[3] = {DType::Q8_0x4, DType::Q8_0x4, DType::Q8_0};
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<Tensor> tensors;
  for (int m = 0; m < 3; ++m) {
    auto q = q8_0_rows(rows[m], in, 40 + m);
    bytes.push_back(types[m] == DType::Q8_0x4 ? interleaved(q, rows[m], in) : q);
  }
  for (int m = 0; m < 3; ++m) tensors.push_back(Tensor{types[m], {rows[m], in}, bytes[m].data()});
  const auto x = gaussian(in, 50);
  const auto bias = gaussian(64, 51);
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    std::vector<std::vector<float>> want(3), got(3);
    MatmulOutput outputs[3];
    for (int m = 0; m < 3; ++m) {
      want[m].resize(rows[m]);
      got[m].resize(rows[m]);
      const float* b = m == 0 ? bias.data() : nullptr;
      matmul(tensors[m], x.data(), 1, want[m].data(), pool, b);
      outputs[m] = {&tensors[m], got[m].data(), b};
    }
    matmul_group(outputs, x.data(), 1, pool);
    for (int m = 0; m < 3; ++m) EXPECT_EQ(got[m], want[m]) << "matrix " << m << " threads " << threads;
  }
}

}  // namespace
}  // namespace slm::kernels
