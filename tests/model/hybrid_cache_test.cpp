// Qwen3.5's recurrent layers: splitting a sequence into pieces gives the same logits as one
// forward, and a follow-up turn resumes from a checkpoint instead of re-processing the conversation.
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "model/transformer.h"
#include "test_support.h"

namespace slm {
namespace {

const std::vector<int32_t> kPrompt = {5, 17, 300, 42, 8, 99, 123, 7, 64, 250, 11, 3};

TEST(GatedDeltaNet, PiecewiseForwardEqualsOneForward) {
  Transformer model(open_model_files(test::fixture("models/tiny-qwen35")));
  const int64_t V = model.config().vocab_size;
  ThreadPool pool(2);
  ForwardScratch s;

  KVCache whole(model.config(), 64);
  model.forward(kPrompt, whole, s, pool, true);
  std::vector<float> expected(s.logits.begin(), s.logits.begin() + kPrompt.size() * V);

  // Pieces of 5, 1, 6 tokens: the convolution history and the state carry across calls.
  KVCache pieces(model.config(), 64);
  std::vector<float> got;
  for (auto [b, e] : {std::pair{0, 5}, std::pair{5, 6}, std::pair{6, 12}}) {
    std::span<const int32_t> piece(kPrompt.data() + b, e - b);
    model.forward(piece, pieces, s, pool, true);
    got.insert(got.end(), s.logits.begin(), s.logits.begin() + (e - b) * V);
  }
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], expected[i], 1e-4) << i;
}

// The recurrent state carried over hundreds of tokens, one decode step at a time, matches a
// single batched prefill of the same sequence (and its conv history survives every step).
TEST(GatedDeltaNet, StateCarriedOverHundredsOfTokens) {
  Transformer model(open_model_files(test::fixture("models/tiny-qwen35")));
  const int64_t V = model.config().vocab_size;
  ThreadPool pool(2);
  ForwardScratch s;
  std::vector<int32_t> tokens;
  for (int i = 0; i < 400; ++i) tokens.push_back((i * 131 + 7) % 490 + 1);
  KVCache whole(model.config(), 512);
  model.forward(tokens, whole, s, pool, true);
  std::vector<float> expected(s.logits.begin(), s.logits.begin() + tokens.size() * V);
  KVCache stepwise(model.config(), 512);
  for (size_t t = 0; t < tokens.size(); ++t) {
    model.forward(std::span<const int32_t>(tokens).subspan(t, 1), stepwise, s, pool, false);
    for (int64_t v = 0; v < V; ++v) ASSERT_NEAR(s.logits[v], expected[t * V + v], 2e-4) << "position " << t;
  }
}

GenerateOptions greedy(int n) {
  GenerateOptions o;
  o.max_tokens = n;
  o.sampler.temperature = 0;
  o.stop_at_eos = false;
  return o;
}

TEST(GatedDeltaNet, FollowUpTurnProcessesOnlyNewTokens) {
  auto engine = Engine::load(test::fixture("models/tiny-qwen35"));
  Session session(*engine, 256);
  auto r1 = session.generate(kPrompt, greedy(8));
  EXPECT_EQ(r1.prompt_tokens_processed, static_cast<int64_t>(kPrompt.size()));

  // Turn 2 = turn 1 + its answer + 3 new tokens: the recurrent state continues where it stopped.
  std::vector<int32_t> turn2 = kPrompt;
  turn2.insert(turn2.end(), r1.ids.begin(), r1.ids.end());
  turn2.insert(turn2.end(), {20, 21, 22});
  auto r2 = session.generate(turn2, greedy(8));
  EXPECT_EQ(r2.prompt_tokens_processed, 1 + 3);  // the last answer token never entered the cache

  // A turn that rewrites the previous answer resumes from the checkpoint at the end of turn 2's prompt.
  std::vector<int32_t> turn3 = turn2;
  turn3.insert(turn3.end(), {30, 31, 32, 33});
  auto r3 = session.generate(turn3, greedy(8));
  EXPECT_EQ(r3.prompt_tokens_reused, static_cast<int64_t>(turn2.size()));
  EXPECT_EQ(r3.prompt_tokens_processed, 4);

  Session fresh(*engine, 256);
  EXPECT_EQ(fresh.generate(turn3, greedy(8)).ids, r3.ids);
  Session fresh2(*engine, 256);
  EXPECT_EQ(fresh2.generate(turn2, greedy(8)).ids, r2.ids);
}

}  // namespace
}  // namespace slm

namespace slm {
namespace {

// Gemma 3's sliding-window layers keep a ring of window + chunk rows; with a chunk of 4 the ring
// holds 12 rows, yet 40 positions give the same logits as a cache that keeps everything.
TEST(SlidingWindowCache, RingGivesTheSameLogitsAsAFullCache) {
  for (const char* fixture : {"models/tiny-gemma3", "models/tiny-gemma3n"}) {
    Transformer model(open_model_files(test::fixture(fixture)));
    const int64_t V = model.config().vocab_size;
    ThreadPool pool(2);
    ForwardScratch s;
    std::vector<int32_t> tokens;
    for (int i = 0; i < 40; ++i) tokens.push_back((i * 37 + 11) % 480 + 7);

    KVCache full(model.config(), 64, {.ring_chunk = 0});
    EXPECT_EQ(full.max_chunk(), 0);
    model.forward(tokens, full, s, pool, true);
    std::vector<float> expected(s.logits.begin(), s.logits.begin() + tokens.size() * V);

    KVCache ring(model.config(), 64, {.ring_chunk = 4});
    EXPECT_EQ(ring.max_chunk(), 4);
    EXPECT_LT(ring.bytes(), full.bytes());
    model.forward(std::span<const int32_t>(tokens).first(30), ring, s, pool, true);  // chunked prefill
    std::vector<float> got(s.logits.begin(), s.logits.begin() + 30 * V);
    for (size_t t = 30; t < tokens.size(); ++t) {  // then one token at a time
      model.forward(std::span<const int32_t>(tokens).subspan(t, 1), ring, s, pool, false);
      got.insert(got.end(), s.logits.begin(), s.logits.begin() + V);
    }
    ASSERT_EQ(got.size(), expected.size());
    for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], expected[i], 1e-4) << fixture << " " << i;

    // Rolling back past what the ring still holds falls back to an empty cache.
    EXPECT_EQ(ring.rollback(38), 38);
    EXPECT_EQ(ring.rollback(10), 0);
  }
}

}  // namespace
}  // namespace slm
