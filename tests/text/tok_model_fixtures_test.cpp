// The tokenizers shipped with the model fixtures: stories260k prompts and the tiny-* checks.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "test_support.h"
#include "tok_test_util.h"
#include "text/tokenizer.h"

namespace slm {
namespace {

TEST(TokModels, Stories260kPromptIds) {
  auto tok = Tokenizer::from_hf_dir(test::fixture("models/stories260k"));
  auto cases = test::read_jsonl(test::fixture("models/stories260k/expected.jsonl"));
  ASSERT_FALSE(cases.empty());
  EXPECT_TRUE(tok->adds_bos());
  EXPECT_EQ(tok->bos_id(), 1);
  EXPECT_EQ(tok->eos_id(), 2);
  for (const auto& c : cases) {
    auto ids = tok->encode(c["prompt"].get<std::string>(), c["add_bos"].get<bool>());
    EXPECT_EQ(ids, c["prompt_ids"].get<std::vector<int32_t>>()) << c["prompt"];
    // The recorded text is the decode of prompt + continuation without special tokens.
    std::vector<int32_t> all = c["prompt_ids"].get<std::vector<int32_t>>();
    for (int32_t id : c["greedy_ids"].get<std::vector<int32_t>>()) all.push_back(id);
    EXPECT_EQ(tok->decode(all, true), c["text"].get<std::string>());
  }
}

class TokTinyModels : public ::testing::TestWithParam<std::string> {};

TEST_P(TokTinyModels, TokenizerCheckIds) {
  std::string dir = test::fixture("models/" + GetParam());
  std::ifstream in(dir + "/reference.json");
  ASSERT_TRUE(in) << dir;
  auto ref = nlohmann::json::parse(in);
  const auto& check = ref["tokenizer_check"];
  auto tok = Tokenizer::from_hf_dir(dir);
  std::string text = check["text"];
  EXPECT_EQ(tok->encode(text, false), check["ids"].get<std::vector<int32_t>>());
  // prompt_ids carry BOS for the families that add it.
  EXPECT_EQ(tok->encode(ref["prompt_text"].get<std::string>(), true), ref["prompt_ids"].get<std::vector<int32_t>>());
}

INSTANTIATE_TEST_SUITE_P(Tok, TokTinyModels,
                         ::testing::Values("tiny-llama3", "tiny-qwen2", "tiny-qwen3", "tiny-smollm3", "tiny-gemma3",
                                           "tiny-phi3", "tiny-qwen35", "tiny-gemma3n"),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (auto& c : s)
                             if (c == '-') c = '_';
                           return s;
                         });

}  // namespace
}  // namespace slm
