#include "sample/sampler.h"

#include <gtest/gtest.h>

#include <map>

#include "slm/error.h"

namespace slm {
namespace {

const std::vector<float> kLogits = {1.0f, 3.0f, 2.0f, 3.0f, -1.0f, 0.5f};

TEST(Sampler, GreedyIsArgmaxWithLowestIdOnTies) {
  Sampler s({});
  EXPECT_EQ(s.sample(kLogits, {}), 1);
}

TEST(Sampler, SameSeedSameDraws) {
  SamplerConfig c;
  c.temperature = 1.0f;
  c.seed = 42;
  Sampler a(c), b(c);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.sample(kLogits, {}), b.sample(kLogits, {}));
}

TEST(Sampler, TopKOneIsGreedy) {
  SamplerConfig c;
  c.temperature = 5.0f;
  c.top_k = 1;
  Sampler s(c);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(s.sample(kLogits, {}), 1);
}

TEST(Sampler, TopPKeepsOnlyTheNucleus) {
  SamplerConfig c;
  c.temperature = 1.0f;
  c.top_p = 0.5f;  // the two tied best tokens hold ~0.58 of the mass
  Sampler s(c);
  for (int i = 0; i < 200; ++i) {
    int32_t id = s.sample(kLogits, {});
    EXPECT_TRUE(id == 1 || id == 3) << id;
  }
}

TEST(Sampler, MinPDropsUnlikelyTokens) {
  SamplerConfig c;
  c.temperature = 1.0f;
  c.min_p = 0.3f;  // keeps p >= 0.3 * p_max: ids 1, 3 (p_max) and 2 (e^-1 = 0.37)
  Sampler s(c);
  std::map<int32_t, int> seen;
  for (int i = 0; i < 500; ++i) ++seen[s.sample(kLogits, {})];
  for (auto [id, n] : seen) EXPECT_TRUE(id == 1 || id == 2 || id == 3) << id;
  EXPECT_GT(seen[2], 0);
}

TEST(Sampler, FrequenciesFollowTheSoftmax) {
  SamplerConfig c;
  c.temperature = 1.0f;
  c.seed = 7;
  Sampler s(c);
  const std::vector<float> logits = {0.0f, std::log(3.0f)};  // p = 0.25 / 0.75
  int ones = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) ones += s.sample(logits, {}) == 1;
  EXPECT_NEAR(ones / double(n), 0.75, 0.015);
}

TEST(Sampler, RepetitionPenaltyDemotesSeenTokens) {
  SamplerConfig c;
  c.repetition_penalty = 2.0f;
  Sampler s(c);
  const std::vector<int32_t> history = {1, 3};
  EXPECT_EQ(s.sample(kLogits, history), 2);  // 3/2 = 1.5 < 2
}

TEST(Sampler, RejectsInvalidSettings) {
  SamplerConfig c;
  c.top_p = 0.0f;
  EXPECT_THROW(Sampler{c}, Error);
  c = {};
  c.temperature = -1;
  EXPECT_THROW(Sampler{c}, Error);
}

}  // namespace
}  // namespace slm
