// Each SIMD attention tile against the scalar one on random data, with row counts, depths and
// strides that leave tails. Bounds: sums of products may be reordered, so
// |simd - scalar| <= 1e-5 (1 + Σ|terms|); exponentials differ by <= 1e-6 relative.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <random>
#include <vector>

#include "base/half.h"
#include "kernels/attention_tiles.h"

namespace slm::kernels {
namespace {

std::vector<const AttentionTiles*> simd_variants() {
  std::vector<const AttentionTiles*> v;
  if (const auto* t = attention_tiles_avx2()) v.push_back(t);
  if (const auto* t = attention_tiles_avx512()) v.push_back(t);
  return v;
}

std::vector<float> gaussian(size_t n, std::mt19937& rng) {
  std::normal_distribution<float> d;
  std::vector<float> x(n);
  for (auto& e : x) e = d(rng);
  return x;
}

TEST(KernelAttentionTiles, GemmMatchesScalar) {
  const auto& ref = attention_tiles_scalar();
  std::mt19937 rng(1);
  for (const AttentionTiles* t : simd_variants())
    for (int64_t nv = 1; nv <= t->max_rows / t->width; ++nv)
      for (int64_t rows : {1, 5, 13, 64})
        for (int64_t depth : {1, 7, 64}) {
          const int64_t mp = nv * t->width, a_rs = depth + 3, a_ks = 1;
          // Both layouts: rows strided (scores) and depth strided (P·V, a_rs = 1).
          for (bool transposed : {false, true}) {
            const int64_t rs = transposed ? 1 : a_rs, ks = transposed ? rows + 2 : a_ks;
            const auto a = gaussian((rows + 2) * (depth + 3), rng), b = gaussian(depth * mp, rng);
            const auto c0 = gaussian(rows * mp, rng), alpha = gaussian(mp, rng);
            for (int mode = 0; mode < 3; ++mode) {  // overwrite, accumulate, accumulate scaled
              auto want = c0, got = c0;
              const float* al = mode == 2 ? alpha.data() : nullptr;
              ref.gemm(a.data(), rs, ks, rows, b.data(), depth, mp, al, mode > 0, want.data());
              t->gemm(a.data(), rs, ks, rows, b.data(), depth, mp, al, mode > 0, got.data());
              for (int64_t r = 0; r < rows; ++r)
                for (int64_t m = 0; m < mp; ++m) {
                  float mag = mode ? std::fabs(c0[r * mp + m] * (al ? al[m] : 1.0f)) : 0.0f;
                  for (int64_t i = 0; i < depth; ++i) mag += std::fabs(a[r * rs + i * ks] * b[i * mp + m]);
                  ASSERT_NEAR(got[r * mp + m], want[r * mp + m], 1e-5f * (1 + mag))
                      << t->name << " nv " << nv << " rows " << rows << " depth " << depth << " mode " << mode;
                }
            }
          }
        }
}

TEST(KernelAttentionTiles, SoftmaxStepMatchesScalar) {
  const auto& ref = attention_tiles_scalar();
  std::mt19937 rng(2);
  for (const AttentionTiles* t : simd_variants())
    for (int64_t n : {1, 9, 64})
      for (float spread : {1.0f, 30.0f, 3000.0f}) {
        const int64_t mp = 2 * t->width;
        auto st = gaussian(n * mp, rng);
        for (auto& e : st) e *= spread;
        for (int64_t i = 0; i < n * mp; i += 5) st[i] = -INFINITY;  // masked keys
        std::vector<float> run(mp);
        for (int64_t m = 0; m < mp; ++m) run[m] = m % 3 == 0 ? -FLT_MAX : spread * (m % 5 - 2.0f);
        auto st2 = st, run2 = run;
        std::vector<float> a1(mp), a2(mp), s1(mp), s2(mp);
        ref.softmax_step(st.data(), n, mp, run.data(), a1.data(), s1.data());
        t->softmax_step(st2.data(), n, mp, run2.data(), a2.data(), s2.data());
        for (int64_t m = 0; m < mp; ++m) {
          ASSERT_EQ(run2[m], run[m]) << t->name;
          ASSERT_NEAR(a2[m], a1[m], 1e-6f * (1 + a1[m])) << t->name << " lane " << m;
          ASSERT_NEAR(s2[m], s1[m], 1e-6f * (1 + s1[m])) << t->name << " lane " << m;
        }
        for (int64_t i = 0; i < n * mp; ++i) ASSERT_NEAR(st2[i], st[i], 1e-6f * (1 + st[i])) << t->name << " " << i;
      }
}

// The shape of one rows-layout check: rows queries against n keys of width d, stride apart.
struct RowsCase {
  int64_t rows, n, d, stride, mp;
};

// Scores st[j][r] against the reference, each within 1e-5 of its terms' magnitude.
void expect_scores_near(const std::vector<float>& got, const std::vector<float>& want, const std::vector<float>& q,
                        const std::vector<float>& k, const RowsCase& c, const char* name) {
  for (int64_t j = 0; j < c.n; ++j)
    for (int64_t r = 0; r < c.rows; ++r) {
      float mag = 0;
      for (int64_t i = 0; i < c.d; ++i) mag += std::fabs(q[r * c.d + i] * k[j * c.stride + i]);
      ASSERT_NEAR(got[j * c.mp + r], want[j * c.mp + r], 1e-5f * (1 + mag)) << name << " d " << c.d;
    }
}

// Outputs o[r] = alpha[r] o0[r] + Σ_j p[j][r] v[j] against the reference, with the same bound.
void expect_outputs_near(const std::vector<float>& got, const std::vector<float>& want, const std::vector<float>& o0,
                         const float* alpha, const std::vector<float>& p, const std::vector<float>& v,
                         const RowsCase& c, const char* name) {
  for (int64_t r = 0; r < c.rows; ++r)
    for (int64_t i = 0; i < c.d; ++i) {
      float mag = std::fabs(o0[r * c.d + i] * (alpha ? alpha[r] : 1.0f));
      for (int64_t j = 0; j < c.n; ++j) mag += std::fabs(p[j * c.mp + r] * v[j * c.stride + i]);
      ASSERT_NEAR(got[r * c.d + i], want[r * c.d + i], 1e-5f * (1 + mag)) << name << " d " << c.d;
    }
}

TEST(KernelAttentionTiles, RowsKernelsMatchScalar) {
  const auto& ref = attention_tiles_scalar();
  std::mt19937 rng(3);
  for (const AttentionTiles* t : simd_variants())
    for (int64_t d : {t->width, int64_t{64}, int64_t{128}, int64_t{256}})
      for (int64_t rows : {1, 2, 3, 4, 7})
        for (int64_t n : {1, 6, 64}) {
          const RowsCase c{rows, n, d, d + 16, t->width};
          const int64_t mp = c.mp, stride = c.stride;
          const auto q = gaussian(rows * d, rng), k = gaussian(n * stride, rng), v = gaussian(n * stride, rng);
          std::vector<float> want(n * mp, 0.0f), got(n * mp, 0.0f);
          ref.dot_rows(q.data(), rows, k.data(), stride, n, d, want.data(), mp);
          t->dot_rows(q.data(), rows, k.data(), stride, n, d, got.data(), mp);
          expect_scores_near(got, want, q, k, c, t->name);
          const auto p = gaussian(n * mp, rng), o0 = gaussian(rows * d, rng), alpha = gaussian(mp, rng);
          for (const float* al : {static_cast<const float*>(nullptr), alpha.data()}) {
            auto ow = o0, og = o0;
            ref.pv_rows(p.data(), mp, rows, v.data(), stride, n, d, al, ow.data());
            t->pv_rows(p.data(), mp, rows, v.data(), stride, n, d, al, og.data());
            expect_outputs_near(og, ow, o0, al, p, v, c, t->name);
          }
        }
}

// The f16-cache forms: the scalar one must equal the f32 kernel on the widened values, and each
// SIMD one the scalar one (same bound as above).
TEST(KernelAttentionTiles, HalfPrecisionRowsKernelsMatchScalar) {
  const auto& ref = attention_tiles_scalar();
  std::mt19937 rng(4);
  auto halves = [&](size_t n, std::vector<float>& widened) {
    std::vector<uint16_t> h(n);
    widened = gaussian(n, rng);
    for (size_t i = 0; i < n; ++i) widened[i] = f16_to_f32(h[i] = f32_to_f16(widened[i]));
    return h;
  };
  for (int64_t d : {int64_t{8}, int64_t{64}, int64_t{128}, int64_t{256}})
    for (int64_t rows : {1, 2, 3, 4, 7})
      for (int64_t n : {1, 6, 64}) {
        const RowsCase c{rows, n, d, d + 16, 16};
        const int64_t mp = c.mp, stride = c.stride;
        const auto q = gaussian(rows * d, rng);
        std::vector<float> kf, vf;
        const auto kh = halves(n * stride, kf), vh = halves(n * stride, vf);
        std::vector<float> want(n * mp, 0.0f), wide(n * mp, 0.0f);
        ref.dot_rows_f16(q.data(), rows, kh.data(), stride, n, d, want.data(), mp);
        ref.dot_rows(q.data(), rows, kf.data(), stride, n, d, wide.data(), mp);
        ASSERT_EQ(want, wide);
        const auto p = gaussian(n * mp, rng), o0 = gaussian(rows * d, rng), alpha = gaussian(mp, rng);
        auto ow = o0, owide = o0;
        ref.pv_rows_f16(p.data(), mp, rows, vh.data(), stride, n, d, alpha.data(), ow.data());
        ref.pv_rows(p.data(), mp, rows, vf.data(), stride, n, d, alpha.data(), owide.data());
        ASSERT_EQ(ow, owide);
        for (const AttentionTiles* t : simd_variants()) {
          if (d % t->width != 0 || mp % t->width != 0) continue;
          std::vector<float> got(n * mp, 0.0f);
          t->dot_rows_f16(q.data(), rows, kh.data(), stride, n, d, got.data(), mp);
          expect_scores_near(got, want, q, kf, c, t->name);
          auto og = o0;
          t->pv_rows_f16(p.data(), mp, rows, vh.data(), stride, n, d, alpha.data(), og.data());
          expect_outputs_near(og, ow, o0, alpha.data(), p, vf, c, t->name);
        }
      }
}

}  // namespace
}  // namespace slm::kernels
