// Every reference case of the tokenizer fixtures: ids, decode, decode without specials.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "test_support.h"
#include "tok_test_util.h"
#include "text/tokenizer.h"

namespace slm {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> fixture_names(const char* file = "cases.jsonl") {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(test::fixture("tokenizers")))
    if (e.is_directory() && fs::exists(e.path() / file)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

class TokFixtureCases : public ::testing::TestWithParam<std::string> {};

TEST_P(TokFixtureCases, EncodeAndDecodeMatchReference) {
  const std::string name = GetParam();
  const Tokenizer& tok = test::cached_tokenizer(test::fixture("tokenizers/" + name));
  auto cases = test::read_jsonl(test::fixture("tokenizers/" + name + "/cases.jsonl"));
  ASSERT_FALSE(cases.empty());
  int enc_ok = 0, dec_ok = 0, skip_ok = 0;
  for (const auto& c : cases) {
    const std::string text = c["text"];
    const auto expected = c["ids"].get<std::vector<int32_t>>();
    auto ids = tok.encode(text, c["add_special_tokens"].get<bool>());
    if (ids == expected) ++enc_ok;
    else
      ADD_FAILURE() << name << " " << c["id"] << " encode mismatch: text=" << nlohmann::json(text).dump()
                    << "\n  expected " << nlohmann::json(expected).dump() << "\n  got      " << nlohmann::json(ids).dump();
    std::string d = tok.decode(expected, false);
    if (d == c["decoded"].get<std::string>()) ++dec_ok;
    else
      ADD_FAILURE() << name << " " << c["id"] << " decode mismatch:\n  expected " << c["decoded"].dump()
                    << "\n  got      " << nlohmann::json(d).dump();
    std::string ds = tok.decode(expected, true);
    if (ds == c["decoded_skip_special"].get<std::string>()) ++skip_ok;
    else
      ADD_FAILURE() << name << " " << c["id"] << " decode(skip_special) mismatch:\n  expected "
                    << c["decoded_skip_special"].dump() << "\n  got      " << nlohmann::json(ds).dump();
  }
  std::printf("[ tokenizer ] %-12s encode %d/%zu  decode %d/%zu  decode_skip_special %d/%zu\n", name.c_str(), enc_ok,
              cases.size(), dec_ok, cases.size(), skip_ok, cases.size());
}

// doubtful.jsonl records texts where the two reference oracles disagree: report, do not assert.
struct SpecialIds {
  const char* name;
  int32_t bos, eos;  // -1: none
  bool adds_bos;
  size_t vocab_size;
};

// BOS/EOS come from tokenizer_config.json; whether BOS is added from the post-processor.
TEST(TokFixtureSpecials, BosEosAndVocabSize) {
  const SpecialIds expected[] = {
      {"qwen3", -1, 151645, false, 151669},     {"gemma3", 2, 106, true, 262145},
      {"llama3", 128000, 128001, false, 128256}, {"llama3_1", 128000, 128009, true, 128256},
      {"llama2", 1, 2, true, 32000},             {"deepseek_v3", 0, 1, false, 128815},
      {"gpt4o", 199999, 199999, false, 200019},
  };
  for (const auto& e : expected) {
    const Tokenizer& tok = test::cached_tokenizer(test::fixture(std::string("tokenizers/") + e.name));
    EXPECT_EQ(tok.bos_id().value_or(-1), e.bos) << e.name;
    EXPECT_EQ(tok.eos_id().value_or(-1), e.eos) << e.name;
    EXPECT_EQ(tok.adds_bos(), e.adds_bos) << e.name;
    EXPECT_EQ(tok.vocab_size(), e.vocab_size) << e.name;
    if (e.eos >= 0) {
      EXPECT_TRUE(tok.is_special(e.eos)) << e.name;
      EXPECT_EQ(tok.token_id(tok.token_piece(e.eos)), e.eos) << e.name;
    }
  }
  const Tokenizer& qwen = test::cached_tokenizer(test::fixture("tokenizers/qwen3"));
  EXPECT_EQ(qwen.token_piece(9707), "Hello");
  EXPECT_EQ(qwen.token_id("Hello"), 9707);
  EXPECT_EQ(qwen.token_id("no such piece"), -1);
  EXPECT_EQ(qwen.token_piece(-1), "");
  EXPECT_EQ(qwen.token_piece(1 << 30), "");
  EXPECT_FALSE(qwen.is_special(qwen.token_id("<think>")));  // added, but not special
}

class TokDoubtfulCases : public ::testing::TestWithParam<std::string> {};

TEST_P(TokDoubtfulCases, AreReported) {
  const std::string name = GetParam();
  std::string path = test::fixture("tokenizers/" + name + "/doubtful.jsonl");
  const Tokenizer& tok = test::cached_tokenizer(test::fixture("tokenizers/" + name));
  for (const auto& c : test::read_jsonl(path)) {
    auto ids = tok.encode(c["text"].get<std::string>(), c.value("add_special_tokens", false));
    std::printf("[ doubtful  ] %s %s text=%s slm=%s\n", name.c_str(), c.value("id", std::string("?")).c_str(),
                nlohmann::json(c["text"]).dump(-1, ' ', true).c_str(), nlohmann::json(ids).dump().c_str());
    for (const auto& [k, v] : c.items())
      if (k.find("ids") != std::string::npos) std::printf("               %s=%s\n", k.c_str(), v.dump().c_str());
  }
}

INSTANTIATE_TEST_SUITE_P(Tok, TokFixtureCases, ::testing::ValuesIn(fixture_names()),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Tok, TokDoubtfulCases, ::testing::ValuesIn(fixture_names("doubtful.jsonl")),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace slm
