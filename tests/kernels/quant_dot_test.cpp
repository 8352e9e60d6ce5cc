// Quantized dot kernels: every SIMD variant against the scalar reference, for every block type
// and token-tile width, and the quantized matmul against a double-precision reference.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "kernels/matmul.h"
#include "kernels/quant_dot.h"
#include "tensor/quant/quant.h"
#include "test_support.h"

namespace slm::kernels {
namespace {

const DType kBlockTypes[] = {DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q8_0,
                             DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K};

using test::gaussian;

// Weight rows: quantized Gaussian data where slm can quantize the type, else random bytes with
// small fp16 scales (every code pattern, including extreme scales and masks, gets exercised).
std::vector<uint8_t> weight_rows(DType t, int64_t n, uint32_t seed) {
  std::vector<uint8_t> q(dtype_bytes(t, n));
  std::mt19937 rng(seed);
  if (quant::can_quantize(t) && seed % 2 == 0) {
    const auto x = gaussian(n, seed);
    quant::quantize_row(t, x.data(), q.data(), n);
    return q;
  }
  for (auto& b : q) b = static_cast<uint8_t>(rng());
  // Overwrite each fp16 scale with one in [2^-10, 2^-6) so no value is inf/nan.
  const int bb = dtype_info(t).block_bytes;
  auto small_half = [&](uint8_t* p) {
    const uint16_t h = static_cast<uint16_t>(0x1400 + rng() % 0x1000);
    p[0] = h & 0xff;
    p[1] = h >> 8;
  };
  for (size_t o = 0; o < q.size(); o += bb) {
    switch (t) {
      case DType::Q4_1: case DType::Q5_1: small_half(&q[o]); small_half(&q[o + 2]); break;
      case DType::Q4_K: case DType::Q5_K: small_half(&q[o]); small_half(&q[o + 2]); break;
      case DType::Q2_K: small_half(&q[o + bb - 4]); small_half(&q[o + bb - 2]); break;
      case DType::Q3_K: case DType::Q6_K: small_half(&q[o + bb - 2]); break;
      default: small_half(&q[o]); break;
    }
  }
  return q;
}

std::vector<uint8_t> activations(DType t, int64_t n, int rows, uint32_t seed) {
  const size_t ab = act_row_bytes(t, n);
  std::vector<uint8_t> a(ab * rows);
  const auto x = gaussian(n * rows, seed);
  for (int r = 0; r < rows; ++r) quantize_activations(t, x.data() + r * n, a.data() + r * ab, n);
  return a;
}

// The activation values a quantized activation row stands for.
std::vector<float> activation_values(DType t, const uint8_t* a, int64_t n) {
  std::vector<float> xf(n);
  for (int64_t i = 0; i < n; ++i) {
    if (uses_act256(t)) {
      const auto* b = reinterpret_cast<const quant::ActBlock256*>(a) + i / 256;
      xf[i] = b->d * b->qs[i % 256];
    } else {
      const auto* b = reinterpret_cast<const quant::ActBlock32*>(a) + i / 32;
      xf[i] = b->d * b->qs[i % 32];
    }
  }
  return xf;
}

// Σ |w_i x_i|: the scale of float rounding in any order of summation.
double magnitude(DType t, const uint8_t* w, const uint8_t* a, int64_t n) {
  std::vector<float> wf(n);
  quant::dequantize_row(t, w, wf.data(), n);
  const auto xf = activation_values(t, a, n);
  double mag = 0;
  for (int64_t i = 0; i < n; ++i) mag += std::fabs(static_cast<double>(wf[i]) * xf[i]);
  return mag;
}

void expect_variant_matches_scalar(const QuantDotKernels& simd) {
  const QuantDotKernels& ref = quant_dot_scalar();
  for (DType t : kBlockTypes) {
    const int64_t block = dtype_info(t).block_elems;
    for (int64_t blocks : {1, 2, 3, 8, 17}) {
      const int64_t n = block * blocks;
      for (uint32_t seed : {1u, 2u, 3u, 4u}) {
        const auto w = weight_rows(t, n, seed);
        const auto a = activations(t, n, kMaxTokenTile, seed + 100);
        const size_t ab = act_row_bytes(t, n);
        float want[kMaxTokenTile], got[kMaxTokenTile];
        ref.get(t)(w.data(), a.data(), ab, kMaxTokenTile, n, want);
        for (int nt = 1; nt <= simd.token_tile; ++nt) {
          simd.get(t)(w.data(), a.data(), ab, nt, n, got);
          for (int i = 0; i < nt; ++i) {
            // Integer block sums are exact in every variant; only the float combination of the
            // scaled block sums differs in order: a few float ulps of Σ|w x|.
            const double bound = 1e-6 * magnitude(t, w.data(), a.data() + i * ab, n) + 1e-9;
            EXPECT_NEAR(got[i], want[i], bound)
                << simd.name << " " << dtype_name(t) << " blocks=" << blocks << " seed=" << seed << " nt=" << nt;
          }
        }
      }
    }
  }
}

// Exact integer check: every fp16 scale 1.0, activation scales 1.0 and |x| <= 3, so each
// block's result is an integer below 2^24 and every float step is exact. Any variant must then
// reproduce the scalar reference bit for bit: the integer block sums are identical.
std::vector<uint8_t> unit_scale_weights(DType t, int64_t n, uint32_t seed) {
  auto q = weight_rows(t, n, 1 + 2 * seed);  // random codes (odd seeds)
  const uint8_t one[2] = {0x00, 0x3c};      // fp16 1.0
  const int bb = dtype_info(t).block_bytes;
  for (size_t o = 0; o < q.size(); o += bb) {
    auto put = [&](size_t at) { q[o + at] = one[0], q[o + at + 1] = one[1]; };
    switch (t) {
      case DType::Q4_1: case DType::Q5_1: case DType::Q4_K: case DType::Q5_K: put(0); put(2); break;
      case DType::Q2_K: put(bb - 4); put(bb - 2); break;
      case DType::Q3_K: case DType::Q6_K: put(bb - 2); break;
      default: put(0); break;
    }
  }
  return q;
}

std::vector<uint8_t> small_integer_activations(DType t, int64_t n, int rows, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<float> x(n * rows);
  for (auto& v : x) v = static_cast<float>(static_cast<int>(rng() % 7) - 3);
  std::vector<uint8_t> a(act_row_bytes(t, n) * rows);
  for (int r = 0; r < rows; ++r) quantize_activations(t, x.data() + r * n, a.data() + r * act_row_bytes(t, n), n);
  // Force d = 1 with codes = x (absmax scaling may have chosen another d).
  for (int r = 0; r < rows; ++r) {
    uint8_t* row = a.data() + r * act_row_bytes(t, n);
    if (uses_act256(t)) {
      auto* b = reinterpret_cast<quant::ActBlock256*>(row);
      for (int64_t k = 0; k < n / 256; ++k) {
        b[k].d = 1.0f;
        for (int i = 0; i < 256; ++i) b[k].qs[i] = static_cast<int8_t>(x[r * n + 256 * k + i]);
        for (int g = 0; g < 16; ++g) {
          int sum = 0;
          for (int i = 0; i < 16; ++i) sum += b[k].qs[16 * g + i];
          b[k].sums[g] = static_cast<int16_t>(sum);
        }
      }
    } else {
      auto* b = reinterpret_cast<quant::ActBlock32*>(row);
      for (int64_t k = 0; k < n / 32; ++k) {
        b[k].d = 1.0f;
        b[k].sum = 0;
        for (int i = 0; i < 32; ++i) b[k].sum += b[k].qs[i] = static_cast<int8_t>(x[r * n + 32 * k + i]);
      }
    }
  }
  return a;
}

void expect_identical_integer_sums(const QuantDotKernels& simd) {
  for (DType t : kBlockTypes) {
    for (int64_t blocks : {1, 2, 3}) {
      const int64_t n = dtype_info(t).block_elems * blocks;
      for (uint32_t seed : {1u, 2u, 3u}) {
        const auto w = unit_scale_weights(t, n, seed);
        const auto a = small_integer_activations(t, n, kMaxTokenTile, seed);
        const size_t ab = act_row_bytes(t, n);
        float want[kMaxTokenTile], got[kMaxTokenTile];
        quant_dot_scalar().get(t)(w.data(), a.data(), ab, kMaxTokenTile, n, want);
        for (int nt = 1; nt <= simd.token_tile; ++nt) {
          simd.get(t)(w.data(), a.data(), ab, nt, n, got);
          for (int i = 0; i < nt; ++i) {
            EXPECT_EQ(got[i], want[i]) << simd.name << " " << dtype_name(t) << " blocks=" << blocks << " nt=" << nt;
            EXPECT_EQ(want[i], std::trunc(want[i])) << "not an integer: the check would not be exact";
          }
        }
      }
    }
  }
}

TEST(KernelQuantDot, IntegerBlockSumsIdentical) {
  for (const QuantDotKernels* k : {quant_dot_avx2(), quant_dot_avx512()})
    if (k) expect_identical_integer_sums(*k);
}

TEST(KernelQuantDot, Avx2MatchesScalar) {
  const QuantDotKernels* k = quant_dot_avx2();
  if (!k) GTEST_SKIP() << "CPU lacks AVX2";
  expect_variant_matches_scalar(*k);
}

TEST(KernelQuantDot, Avx512MatchesScalar) {
  const QuantDotKernels* k = quant_dot_avx512();
  if (!k) GTEST_SKIP() << "CPU lacks AVX-512 F/BW/VNNI";
  expect_variant_matches_scalar(*k);
}

// The scalar kernel equals the dot product of the dequantized weights with the dequantized
// activations (up to float rounding): ties the integer formulation to the format definition.
// The four-row decode kernels equal the one-row kernel of their variant bit for bit (same
// operations per row), with odd and even block counts and the rows' prefetch reaching past them.
TEST(KernelQuantDot, FourRowKernelsEqualOneRowKernels) {
  int checked = 0;
  for (const QuantDotKernels* k : {&quant_dot_scalar(), quant_dot_avx2(), quant_dot_avx512()}) {
    if (!k) continue;
    for (DType t : kBlockTypes) {
      const QuantRows4Fn rows4 = k->rows4(t);
      if (!rows4) continue;
      for (int64_t n : {32, 96, 1024, 1056, 3072}) {
        const size_t row_bytes = dtype_bytes(t, n);
        const auto w = weight_rows(t, n * 8, static_cast<uint32_t>(n));  // 8 rows: prefetches stay inside
        const auto a = activations(t, n, 1, 7);
        float got[4], want[4];
        rows4(w.data(), row_bytes, a.data(), n, got);
        for (int r = 0; r < 4; ++r) k->get(t)(w.data() + r * row_bytes, a.data(), 0, 1, n, &want[r]);
        for (int r = 0; r < 4; ++r) EXPECT_EQ(got[r], want[r]) << k->name << " " << dtype_name(t) << " n " << n << " row " << r;
        ++checked;
      }
    }
  }
  if (quant_dot_avx512()) EXPECT_GE(checked, 15);  // Q4_0, Q5_0, Q8_0 at five lengths
}

TEST(KernelQuantDot, ScalarMatchesDequantizedDot) {
  for (DType t : kBlockTypes) {
    const int64_t n = 512;
    const auto w = weight_rows(t, n, 5);
    const auto a = activations(t, n, 1, 6);
    std::vector<float> wf(n);
    quant::dequantize_row(t, w.data(), wf.data(), n);
    const auto xf = activation_values(t, a.data(), n);
    double want = 0, mag = 0;
    for (int64_t i = 0; i < n; ++i) want += static_cast<double>(wf[i]) * xf[i], mag += std::fabs(wf[i] * xf[i]);
    float got;
    quant_dot_scalar().get(t)(w.data(), a.data(), act_row_bytes(t, n), 1, n, &got);
    EXPECT_NEAR(got, want, 1e-5 * mag + 1e-6) << dtype_name(t);
  }
}

// Activation blocks: the group sums are those of the codes, and the codes reproduce x within half a step.
TEST(KernelQuantDot, ActivationQuantization) {
  const auto x = gaussian(512, 9);
  std::vector<quant::ActBlock256> a(2);
  quantize_act256(x.data(), a.data(), 512);
  for (int b = 0; b < 2; ++b) {
    for (int g = 0; g < 16; ++g) {
      int s = 0;
      for (int i = 0; i < 16; ++i) s += a[b].qs[16 * g + i];
      EXPECT_EQ(a[b].sums[g], s);
    }
    for (int i = 0; i < 256; ++i) EXPECT_NEAR(a[b].d * a[b].qs[i], x[256 * b + i], a[b].d * 0.5001f);
  }
}

// The AVX-512 activation quantizers equal the scalar ones byte for byte: Gaussian rows, a zero
// block, values exactly half-way between two codes, and large magnitudes.
TEST(KernelQuantDot, VectorActivationQuantizersEqualReference) {
  const Act32Fn f32 = quantize_act32_avx512();
  const Act256Fn f256 = quantize_act256_avx512();
  if (!f32 || !f256) GTEST_SKIP() << "CPU lacks AVX-512";
  for (uint32_t seed : {1u, 2u, 3u}) {
    auto x = gaussian(1024, seed);
    for (int i = 0; i < 32; ++i) x[i] = 0.0f;                                  // a zero block
    for (int i = 32; i < 64; ++i) x[i] = (i == 32 ? 127.0f : 0.5f * (i - 40));  // ties: d = 1
    for (int i = 256; i < 288; ++i) x[i] *= 1e6f;
    std::vector<quant::ActBlock32> a(32), b(32);
    f32(x.data(), a.data(), 1024);
    quantize_act32_reference(x.data(), b.data(), 1024);
    EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(a[0]))) << "act32 seed " << seed;
    std::vector<quant::ActBlock256> c(4), d(4);
    f256(x.data(), c.data(), 1024);
    quantize_act256_reference(x.data(), d.data(), 1024);
    EXPECT_EQ(0, std::memcmp(c.data(), d.data(), c.size() * sizeof(c[0]))) << "act256 seed " << seed;
  }
}

// matmul over quantized weights (decode and prefill tilings, odd token counts, bias, several
// thread counts) against double precision over dequantized weights and f32 activations; the
// only error left is the int8 activation rounding.
TEST(KernelQuantMatmul, MatchesReferenceAndThreadCount) {
  const int64_t in = 512, out = 37;
  for (DType t : kBlockTypes) {
    const auto w = weight_rows(t, in * out, 11);
    Tensor wt{t, {out, in}, w.data()};
    const auto bias = gaussian(out, 12);
    for (int64_t tokens : {1, 3, 9}) {
      const auto x = gaussian(in * tokens, 13);
      std::vector<float> want(out * tokens), one(out * tokens), two(out * tokens);
      matmul_reference(wt, x.data(), tokens, want.data(), bias.data());
      ThreadPool p1(1), p3(3);
      matmul(wt, x.data(), tokens, one.data(), p1, bias.data());
      matmul(wt, x.data(), tokens, two.data(), p3, bias.data());
      std::vector<float> wf(in * out);
      quant::dequantize_row(t, w.data(), wf.data(), in * out);
      for (int64_t tok = 0; tok < tokens; ++tok)
        for (int64_t o = 0; o < out; ++o) {
          double mag = 0;
          for (int64_t i = 0; i < in; ++i) mag += std::fabs(wf[o * in + i] * x[tok * in + i]);
          // int8 activations: relative error per term ~ 1/254 of the block max, far less on average.
          EXPECT_NEAR(one[tok * out + o], want[tok * out + o], 0.01 * mag + 1e-4) << dtype_name(t);
          EXPECT_EQ(one[tok * out + o], two[tok * out + o]) << "thread count changed the result";
        }
      // A token's result does not depend on which tile it was computed in.
      std::vector<float> single(out);
      matmul(wt, x.data() + (tokens - 1) * in, 1, single.data(), p1, bias.data());
      for (int64_t o = 0; o < out; ++o) EXPECT_EQ(single[o], one[(tokens - 1) * out + o]) << dtype_name(t);
    }
  }
}

}  // namespace
}  // namespace slm::kernels

namespace slm::kernels {
namespace {

// matmul_group gives exactly what separate matmul calls give: for one token (one pass over the
// pool when the activation format is shared: Q8_0 + Q4_0, Q4_K + Q6_K) and otherwise (mixed
// formats, several tokens), with biases and any thread count.
TEST(KernelQuantMatmul, GroupEqualsSeparateCalls) {
  const int64_t in = 512;
  const std::pair<DType, DType> pairs[] = {{DType::Q8_0, DType::Q4_0}, {DType::Q4_K, DType::Q6_K},
                                          {DType::Q8_0, DType::Q4_K}, {DType::Q8_0, DType::Q8_0}};
  for (const auto& [ta, tb] : pairs) {
    const int64_t rows[3] = {37, 64, 13};
    const DType types[3] = {ta, tb, ta};
    std::vector<std::vector<uint8_t>> weights;
    std::vector<Tensor> tensors;
    for (int m = 0; m < 3; ++m) weights.push_back(weight_rows(types[m], in * rows[m], 20 + m));
    for (int m = 0; m < 3; ++m) tensors.push_back(Tensor{types[m], {rows[m], in}, weights[m].data()});
    const auto bias = gaussian(64, 30);
    for (int64_t tokens : {1, 5}) {
      const auto x = gaussian(in * tokens, 31);
      for (int threads : {1, 2, 3}) {
        ThreadPool pool(threads);
        std::vector<std::vector<float>> want(3), got(3);
        MatmulOutput outputs[3];
        for (int m = 0; m < 3; ++m) {
          want[m].resize(rows[m] * tokens);
          got[m].resize(rows[m] * tokens);
          const float* b = m == 1 ? bias.data() : nullptr;
          matmul(tensors[m], x.data(), tokens, want[m].data(), pool, b);
          outputs[m] = {&tensors[m], got[m].data(), b};
        }
        matmul_group(outputs, x.data(), tokens, pool);
        for (int m = 0; m < 3; ++m)
          EXPECT_EQ(got[m], want[m]) << dtype_name(ta) << "+" << dtype_name(tb) << " matrix " << m << " tokens "
                                     << tokens << " threads " << threads;
      }
    }
  }
}

}  // namespace
}  // namespace slm::kernels
