// Added-token matching flags and BOS/EOS from tokenizer_config.json, on a small synthetic tokenizer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <algorithm>
#include <thread>

#include "slm/error.h"
#include "test_support.h"
#include "tok_test_util.h"
#include "text/tokenizer.h"

namespace slm {
namespace {

// Characters a-e and space as single tokens (ids 0-5), merge "a b" -> "ab" (6).
std::string tokenizer_json(const std::string& added, const std::string& post = "null") {
  return R"({"added_tokens": [)" + added + R"(], "normalizer": null, "pre_tokenizer": null, "post_processor": )" + post +
         R"(, "decoder": null, "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "c": 2, "d": 3, "e": 4, " ": 5, "ab": 6},
         "merges": ["a b"]}})";
}

std::string added(int id, const std::string& content, bool special, bool lstrip = false, bool rstrip = false,
                  bool single_word = false) {
  auto b = [](bool v) { return v ? "true" : "false"; };
  return R"({"id": )" + std::to_string(id) + R"(, "content": ")" + content + R"(", "special": )" + b(special) +
         R"(, "lstrip": )" + b(lstrip) + R"(, "rstrip": )" + b(rstrip) + R"(, "single_word": )" + b(single_word) +
         R"(, "normalized": false})";
}

class TokAddedTokens : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::temp_dir("tokadded"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<Tokenizer> load(const std::string& tj, const std::string& cfg = "") {
    { std::ofstream(dir_ + "/tokenizer.json") << tj; }
    std::string cfg_path;
    if (!cfg.empty()) {
      cfg_path = dir_ + "/tokenizer_config.json";
      std::ofstream(cfg_path) << cfg;
    }
    return Tokenizer::from_json_files(dir_ + "/tokenizer.json", cfg_path);
  }
  std::string dir_;
};

using Ids = std::vector<int32_t>;

TEST_F(TokAddedTokens, LongestMatchFirst) {
  auto tok = load(tokenizer_json(added(7, "<x>", true) + "," + added(8, "<x><y>", true) + "," + added(9, "cd", false)));
  EXPECT_EQ(tok->encode("ab<x><y>c<x>cd", false), (Ids{6, 8, 2, 7, 9}));
  EXPECT_TRUE(tok->is_special(7));
  EXPECT_FALSE(tok->is_special(9));
  EXPECT_EQ(tok->decode(Ids{6, 7, 9}, false), "ab <x> cd");  // no decoder: pieces joined by spaces
  EXPECT_EQ(tok->decode(Ids{6, 7, 9}, true), "ab cd");
  EXPECT_EQ(tok->token_id("<x><y>"), 8);
  EXPECT_EQ(tok->token_piece(9), "cd");
  EXPECT_EQ(tok->vocab_size(), 10u);
}

TEST_F(TokAddedTokens, IgnoringSpecials) {
  auto tok = load(tokenizer_json(added(7, "ab", true) + "," + added(8, "cd", false)));
  EXPECT_EQ(tok->encode("abcd", false), (Ids{7, 8}));
  EXPECT_EQ(tok->encode_ignoring_specials("abcd", false), (Ids{6, 8}));
}

TEST(TokIgnoringSpecials, Qwen3ChatMarkup) {
  const Tokenizer& tok = test::cached_tokenizer(test::fixture("tokenizers/qwen3"));
  auto ids = tok.encode_ignoring_specials("<|im_start|>user<think>", false);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 151644), 0);  // <|im_start|> is special: spelled out
  EXPECT_EQ(std::count(ids.begin(), ids.end(), tok.token_id("<think>")), 1);  // <think> is not special
  EXPECT_EQ(tok.decode(ids), "<|im_start|>user<think>");
}

TEST_F(TokAddedTokens, StripFlags) {
  auto tok = load(tokenizer_json(added(7, "<l>", true, true, false) + "," + added(8, "<r>", true, false, true)));
  EXPECT_EQ(tok->encode("a  <l>  b", false), (Ids{0, 7, 5, 5, 1}));
  EXPECT_EQ(tok->encode("a  <r>  b", false), (Ids{0, 5, 5, 8, 1}));
}

TEST_F(TokAddedTokens, SingleWord) {
  auto tok = load(tokenizer_json(added(7, "cd", false, false, false, true)));
  EXPECT_EQ(tok->encode("a cd e", false), (Ids{0, 5, 7, 5, 4}));
  EXPECT_EQ(tok->encode("acd", false), (Ids{0, 2, 3}));
  EXPECT_EQ(tok->encode("cde", false), (Ids{2, 3, 4}));
}

TEST_F(TokAddedTokens, BosEosFromConfigWithoutPostProcessor) {
  std::string tj = tokenizer_json(added(7, "<s>", true) + "," + added(8, "</s>", true));
  auto tok = load(tj, R"({"add_bos_token": true, "add_eos_token": true, "bos_token": "<s>", "eos_token": {"content": "</s>"}})");
  EXPECT_EQ(tok->encode("ab", true), (Ids{7, 6, 8}));
  EXPECT_EQ(tok->encode("ab", false), (Ids{6}));
  EXPECT_TRUE(tok->adds_bos());
  EXPECT_EQ(tok->bos_id(), 7);
  EXPECT_EQ(tok->eos_id(), 8);
  auto plain = load(tj, R"({"bos_token": "<s>", "eos_token": "</s>"})");
  EXPECT_EQ(plain->encode("ab", true), (Ids{6}));
  EXPECT_FALSE(plain->adds_bos());
  EXPECT_THROW(load(tj, R"({"add_bos_token": true, "bos_token": "<missing>"})"), Error);
}

TEST_F(TokAddedTokens, TemplateAndRobertaProcessing) {
  std::string specials = added(7, "<s>", true) + "," + added(8, "</s>", true);
  auto tmpl = load(tokenizer_json(specials, R"({"type": "TemplateProcessing",
      "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
      "pair": [], "special_tokens": {"<s>": {"id": "<s>", "ids": [7], "tokens": ["<s>"]}, "</s>": {"id": "</s>", "ids": [8], "tokens": ["</s>"]}}})"));
  EXPECT_EQ(tmpl->encode("ab", true), (Ids{7, 6, 8}));
  auto roberta = load(tokenizer_json(specials, R"({"type": "RobertaProcessing", "sep": ["</s>", 8], "cls": ["<s>", 7]})"));
  EXPECT_EQ(roberta->encode("c", true), (Ids{7, 2, 8}));
}

TEST(TokConcurrency, ParallelEncodeMatchesSerial) {
  const Tokenizer& tok = test::cached_tokenizer(test::fixture("tokenizers/qwen3"));
  auto cases = test::read_jsonl(test::fixture("tokenizers/qwen3/cases.jsonl"));
  std::vector<std::string> texts;
  for (const auto& c : cases) texts.push_back(c["text"]);
  std::vector<std::vector<int32_t>> serial;
  for (const auto& t : texts) serial.push_back(tok.encode(t, false));
  std::vector<int> bad(4, 0);
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k)
    threads.emplace_back([&, k] {
      for (size_t i = 0; i < texts.size(); ++i)
        if (tok.encode(texts[(i + k * 97) % texts.size()], false) != serial[(i + k * 97) % texts.size()]) ++bad[k];
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace slm
