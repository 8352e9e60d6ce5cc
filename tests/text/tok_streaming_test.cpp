// IncrementalDecoder: pushes concatenate to decode(all ids) and never split a UTF-8 sequence.
#include <gtest/gtest.h>

#include <filesystem>

#include "test_support.h"
#include "tok_test_util.h"
#include "text/tokenizer.h"
#include "text/unicode.h"

namespace slm {
namespace {

namespace fs = std::filesystem;

class TokStreaming : public ::testing::TestWithParam<std::string> {};

TEST_P(TokStreaming, StreamEqualsBatchOnEveryCase) {
  const std::string name = GetParam();
  const Tokenizer& tok = test::cached_tokenizer(test::fixture("tokenizers/" + name));
  int checked = 0;
  for (const auto& c : test::read_jsonl(test::fixture("tokenizers/" + name + "/cases.jsonl"))) {
    auto ids = c["ids"].get<std::vector<int32_t>>();
    for (bool skip : {false, true}) {
      IncrementalDecoder dec(tok, skip);
      std::string streamed;
      for (int32_t id : ids) {
        std::string part = dec.push(id);
        ASSERT_TRUE(unicode::is_valid_utf8(part)) << name << " " << c["id"];
        streamed += part;
      }
      std::string tail = dec.flush();
      ASSERT_TRUE(unicode::is_valid_utf8(tail));
      streamed += tail;
      ASSERT_EQ(streamed, tok.decode(ids, skip)) << name << " " << c["id"];
    }
    ++checked;
  }
  EXPECT_GT(checked, 100);
}

INSTANTIATE_TEST_SUITE_P(Tok, TokStreaming, ::testing::Values("qwen3", "gemma3", "llama2", "llama3_1", "gpt4o", "deepseek_v3", "llama3"),
                         [](const auto& info) { return info.param; });

TEST(TokStreamingUnit, StrayBytesAndSpecialsMidStream) {
  const Tokenizer& tok = test::cached_tokenizer(test::fixture("models/stories260k"));
  // <0x80> alone is invalid UTF-8; <0xC3><0xA9> is "é"; <s> is special.
  std::vector<int32_t> ids = {403, 3 + 0x80, 407, 3 + 0xC3, 3 + 0xA9, 1, 403, 3 + 0xE2};
  for (bool skip : {false, true}) {
    IncrementalDecoder dec(tok, skip);
    std::string all;
    for (int32_t id : ids) {
      std::string part = dec.push(id);
      EXPECT_TRUE(unicode::is_valid_utf8(part));
      all += part;
    }
    all += dec.flush();
    EXPECT_EQ(all, tok.decode(ids, skip));
  }
}

TEST(TokStreamingUnit, HoldsBackIncompleteCharacters) {
  const Tokenizer& tok = test::cached_tokenizer(test::fixture("models/stories260k"));
  // "ê" is not in this 512-token vocabulary: it becomes two byte tokens.
  auto ids = tok.encode("crêpe", false);
  IncrementalDecoder dec(tok);
  std::vector<std::string> parts;
  for (int32_t id : ids) parts.push_back(dec.push(id));
  parts.push_back(dec.flush());
  std::string all;
  for (const auto& p : parts) {
    EXPECT_TRUE(unicode::is_valid_utf8(p));
    EXPECT_EQ(p.find("\xEF\xBF\xBD"), std::string::npos) << "emitted a replacement character mid-stream";
    all += p;
  }
  EXPECT_EQ(all, "crêpe");
}

}  // namespace
}  // namespace slm
