// A batched step over several sequences gives each sequence the logits it gets on its own.
#include <gtest/gtest.h>

#include "model/transformer.h"
#include "test_support.h"

namespace slm {
namespace {

class BatchForward : public testing::TestWithParam<std::string> {};

TEST_P(BatchForward, EqualsSeparateForwards) {
  Transformer model(open_model_files(test::fixture("models/" + GetParam())));
  const ModelConfig& c = model.config();
  const int64_t V = c.vocab_size;
  ThreadPool pool(2);
  ForwardScratch s;
  const std::vector<std::vector<int32_t>> prompts = {
      {3, 17, 99, 250, 8, 64, 12}, {41, 7}, {5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}};

  // Reference: each sequence alone, prompt then two decode steps.
  std::vector<std::vector<float>> expected(prompts.size());
  for (size_t i = 0; i < prompts.size(); ++i) {
    KVCache cache(c, 64);
    model.forward(prompts[i], cache, s, pool, /*all_logits=*/i == 0);
    const int64_t rows = i == 0 ? prompts[i].size() : 1;
    expected[i].assign(s.logits.begin(), s.logits.begin() + rows * V);
    for (int32_t tok : {int32_t(100 + i), int32_t(200 + i)}) {
      model.forward(std::span<const int32_t>(&tok, 1), cache, s, pool, false);
      expected[i].insert(expected[i].end(), s.logits.begin(), s.logits.begin() + V);
    }
  }

  // Batched: the three prompts in one step, then two steps of one token each.
  std::vector<KVCache> caches;
  for (size_t i = 0; i < prompts.size(); ++i) caches.emplace_back(c, 64);
  std::vector<std::vector<float>> got(prompts.size());
  std::vector<BatchItem> items;
  for (size_t i = 0; i < prompts.size(); ++i) items.push_back({prompts[i], &caches[i], i == 0});
  model.forward_batch(items, s, pool);
  int64_t offset = 0;
  for (size_t i = 0; i < prompts.size(); ++i) {
    const int64_t rows = i == 0 ? prompts[i].size() : 1;
    got[i].assign(s.logits.begin() + offset * V, s.logits.begin() + (offset + rows) * V);
    offset += rows;
  }
  for (int step = 0; step < 2; ++step) {
    std::vector<int32_t> toks(prompts.size());
    items.clear();
    for (size_t i = 0; i < prompts.size(); ++i) {
      toks[i] = static_cast<int32_t>((step == 0 ? 100 : 200) + i);
      items.push_back({std::span<const int32_t>(&toks[i], 1), &caches[i], false});
    }
    model.forward_batch(items, s, pool);
    for (size_t i = 0; i < prompts.size(); ++i)
      got[i].insert(got[i].end(), s.logits.begin() + i * V, s.logits.begin() + (i + 1) * V);
  }
  for (size_t i = 0; i < prompts.size(); ++i) {
    ASSERT_EQ(got[i].size(), expected[i].size());
    for (size_t k = 0; k < got[i].size(); ++k) ASSERT_NEAR(got[i][k], expected[i][k], 2e-4) << "sequence " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Families, BatchForward,
                         testing::Values("tiny-llama3", "tiny-qwen2", "tiny-phi3-long", "tiny-gemma3", "tiny-qwen35",
                                         "tiny-gemma3n"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace slm
