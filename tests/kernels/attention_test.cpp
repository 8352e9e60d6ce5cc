// The fast attention kernel (every tile variant this CPU runs) against attention_reference:
// prefill and decode lengths, a continued cache (pos0 > 0), GQA groups, head sizes, sliding
// window over a ring, key splits on a long cache, and large scores. Bound: |got - ref| <= 1e-5 (1 + |ref|).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "base/half.h"
#include "kernels/attention.h"
#include "kernels/attention_tiles.h"

namespace slm::kernels {
namespace {

struct Case {
  int64_t n_tokens, pos0, group, head_dim;
  int64_t window = 0, ring = 0;
  int64_t n_kv_heads = 2;
  bool extreme = false;  // integer q/k with a large scale: scores in the thousands, computed exactly
  bool head_major = false;  // the fast kernel reads a [kv_head][row][head_dim] copy of the cache
  bool f16 = false;         // ... stored as f16 (keys and values are rounded to f16 for the reference)
};

std::vector<const AttentionTiles*> variants() {
  std::vector<const AttentionTiles*> v{&attention_tiles_scalar()};
  if (const auto* t = attention_tiles_avx2()) v.push_back(t);
  if (const auto* t = attention_tiles_avx512()) v.push_back(t);
  return v;
}

void check(const Case& c, int threads) {
  AttentionShape s{c.n_kv_heads * c.group, c.n_kv_heads, c.head_dim, c.n_kv_heads * c.head_dim,
                   c.extreme ? 4.0f : 1.0f / std::sqrt(static_cast<float>(c.head_dim)), c.window, c.ring};
  const int64_t rows = c.ring ? c.ring : c.pos0 + c.n_tokens;
  const int64_t q_len = c.n_tokens * s.n_heads * c.head_dim;
  std::mt19937 rng(static_cast<uint32_t>(c.n_tokens * 131 + c.pos0 * 7 + c.group * 3 + c.head_dim));
  std::normal_distribution<float> normal;
  std::uniform_int_distribution<int> small(-8, 8);
  auto fill = [&](std::vector<float>& x, bool ints) {
    for (auto& e : x) e = ints ? static_cast<float>(small(rng)) : normal(rng);
  };
  std::vector<float> q(q_len), k(rows * s.kv_stride), v(rows * s.kv_stride);
  fill(q, c.extreme);
  fill(k, c.extreme);
  fill(v, false);
  if (c.f16)
    for (auto* x : {&k, &v})
      for (auto& e : *x) e = f16_to_f32(f32_to_f16(e));

  ThreadPool pool(threads);
  std::vector<float> ref(q_len), scratch(threads * (c.pos0 + c.n_tokens));
  attention_reference(q.data(), k.data(), v.data(), ref.data(), c.n_tokens, c.pos0, s, scratch.data(), pool);
  // The same cache laid out head by head, as the KV cache stores it.
  AttentionShape fast_shape = s;
  std::vector<float> kf = k, vf = v;
  if (c.head_major) {
    fast_shape.kv_stride = c.head_dim;
    fast_shape.kv_head_stride = rows * c.head_dim;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t h = 0; h < c.n_kv_heads; ++h)
        for (int64_t d = 0; d < c.head_dim; ++d) {
          kf[(h * rows + r) * c.head_dim + d] = k[r * s.kv_stride + h * c.head_dim + d];
          vf[(h * rows + r) * c.head_dim + d] = v[r * s.kv_stride + h * c.head_dim + d];
        }
  }
  std::vector<uint16_t> kh(kf.size()), vh(vf.size());
  if (c.f16) {
    fast_shape.kv_type = DType::F16;
    for (size_t i = 0; i < kf.size(); ++i) kh[i] = f32_to_f16(kf[i]), vh[i] = f32_to_f16(vf[i]);
    // The reference reads an f16 cache exactly as the f32 values it holds.
    std::vector<float> ref16(q_len);
    attention_reference(q.data(), kh.data(), vh.data(), ref16.data(), c.n_tokens, c.pos0, fast_shape, scratch.data(),
                        pool);
    EXPECT_EQ(ref16, ref);
  }
  const void* kc = c.f16 ? static_cast<const void*>(kh.data()) : kf.data();
  const void* vc = c.f16 ? static_cast<const void*>(vh.data()) : vf.data();
  for (const AttentionTiles* t : variants()) {
    std::vector<float> got(q_len, NAN);
    std::vector<float> ws(attention_scratch_floats_with(*t, c.n_tokens, c.pos0, fast_shape, threads));
    attention_with(*t, q.data(), kc, vc, got.data(), c.n_tokens, c.pos0, fast_shape, ws.data(), pool);
    float worst = 0;
    for (int64_t i = 0; i < q_len; ++i) {
      const float err = std::fabs(got[i] - ref[i]) / (1 + std::fabs(ref[i]));
      if (!(err <= worst)) worst = err;  // NaN sticks
    }
    EXPECT_LE(worst, 1e-5f) << t->name << " tokens " << c.n_tokens << " pos0 " << c.pos0 << " group " << c.group
                            << " head_dim " << c.head_dim << " window " << c.window << " ring " << c.ring
                            << " threads " << threads << (c.f16 ? " f16" : "");
  }
}

TEST(KernelAttention, PrefillAndDecodeMatchReference) {
  const int64_t dims[] = {64, 128, 256};
  int i = 0;
  for (int64_t n : {1, 3, 17, 64, 300})
    for (int64_t group : {1, 2, 4})
      for (int64_t pos0 : {0, 45}) check({n, pos0, group, dims[i++ % 3]}, 2);
}

TEST(KernelAttention, EveryHeadDim) {
  for (int64_t d : {8, 64, 96, 128, 256})
    for (int64_t n : {1, 17, 64}) check({n, 20, 2, d}, 2);
}

TEST(KernelAttention, ThreadCounts) {
  for (int threads : {1, 3})
    for (int64_t n : {1, 5, 100}) check({n, 30, 2, 64}, threads);
}

TEST(KernelAttention, LongCacheDecodeSplitsKeys) {
  // Few jobs (1 token, 2 KV heads) over a long cache: the key range is split and merged.
  for (int64_t n : {1, 2}) check({n, 1500, 2, 128}, 2);
  check({1, 3000, 4, 64, 0, 0, 1}, 3);
}

TEST(KernelAttention, SlidingWindowOverRing) {
  // A ring of window + chunk rows, as the KV cache keeps for sliding-window layers.
  for (int64_t n : {1, 3, 17, 64})
    for (int64_t pos0 : {0, 10, 100, 333}) check({n, pos0, 2, 64, 32, 32 + 64}, 2);
  check({300, 700, 2, 128, 128, 128 + 512}, 2);
  check({1, 5000, 4, 128, 1024, 1024 + 512}, 2);  // long window, split keys
  check({40, 0, 2, 64, 16, 0}, 2);                // window without a ring
}

TEST(KernelAttention, HeadMajorCacheLayout) {
  for (int64_t n : {1, 17, 64})
    for (int64_t group : {1, 2, 4}) check({n, 30, group, 128, 0, 0, 2, false, true}, 2);
  check({1, 1500, 2, 128, 0, 0, 2, false, true}, 2);          // split keys
  check({17, 333, 2, 64, 32, 32 + 64, 2, false, true}, 2);    // window over a ring
}

TEST(KernelAttention, HalfPrecisionCache) {
  for (int64_t n : {1, 17, 64, 300})
    for (int64_t group : {1, 2, 4}) check({n, 30, group, 128, 0, 0, 2, false, true, true}, 2);
  for (int64_t d : {8, 64, 96, 256}) check({5, 20, 2, d, 0, 0, 2, false, false, true}, 2);  // position-major
  check({1, 1500, 2, 128, 0, 0, 2, false, true, true}, 2);        // split keys
  check({17, 333, 2, 64, 32, 32 + 64, 2, false, true, true}, 2);  // window over a ring
  check({64, 50, 2, 128, 0, 0, 2, true, true, true}, 2);          // large scores
}

TEST(KernelAttention, LargeScoresStayFinite) {
  for (int64_t n : {1, 17, 64, 300}) check({n, 50, 2, 128, 0, 0, 2, true}, 2);
  check({64, 50, 4, 64, 24, 24 + 64, 2, true}, 2);
}

}  // namespace
}  // namespace slm::kernels
