// Bad tokenizer files fail with slm::Error naming the file and the offending component.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "slm/error.h"
#include "test_support.h"
#include "text/load_tokenizer.h"
#include "text/tokenizer.h"

namespace slm {
namespace {

const char* kGood = R"({
  "added_tokens": [{"id": 5, "content": "<s>", "special": true, "lstrip": false, "rstrip": false,
                    "single_word": false, "normalized": false}],
  "normalizer": NORMALIZER,
  "pre_tokenizer": PRE,
  "post_processor": null,
  "decoder": DECODER,
  "model": MODEL
})";

const char* kModel = R"({"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "c": 3, "<unk>": 4}, "merges": [MERGES], "unk_token": "<unk>"})";

std::string make_json(std::string normalizer = "null", std::string pre = "null", std::string decoder = "null",
                      std::string model = "", std::string merges = "\"a b\"") {
  if (model.empty()) model = kModel;
  auto replace = [](std::string s, const std::string& key, const std::string& value) {
    size_t p = s.find(key);
    if (p != std::string::npos) s.replace(p, key.size(), value);
    return s;
  };
  model = replace(model, "MERGES", merges);
  std::string s = kGood;
  s = replace(s, "NORMALIZER", normalizer);
  s = replace(s, "PRE", pre);
  s = replace(s, "DECODER", decoder);
  s = replace(s, "MODEL", model);
  return s;
}

class TokMalformed : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::temp_dir("tokbad"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& content) {
    std::string path = dir_ + "/tokenizer.json";
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  // Loads and returns the error message ("" when it loads).
  std::string error_of(const std::string& content) {
    std::string path = write(content);
    try {
      Tokenizer::from_json_files(path, "");
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
  std::string dir_;
};

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST_F(TokMalformed, BaselineLoads) {
  std::string path = write(make_json());
  auto tok = Tokenizer::from_json_files(path, "");
  EXPECT_EQ(tok->encode("abc<s>", false), (std::vector<int32_t>{2, 3, 5}));
  EXPECT_EQ(tok->encode("abxc", false), (std::vector<int32_t>{2, 4, 3}));  // unknown x -> <unk>
}

TEST_F(TokMalformed, BadJsonNamesTheFile) {
  auto e = error_of("{\"model\": ");
  EXPECT_TRUE(contains(e, "tokenizer.json")) << e;
  EXPECT_TRUE(contains(e, "invalid JSON")) << e;
}

TEST_F(TokMalformed, MissingModel) {
  auto e = error_of(R"({"added_tokens": []})");
  EXPECT_TRUE(contains(e, "tokenizer.json")) << e;
  EXPECT_TRUE(contains(e, "model")) << e;
}

TEST_F(TokMalformed, MergeWithUnknownToken) {
  auto e = error_of(make_json("null", "null", "null", "", "\"a zz\""));
  EXPECT_TRUE(contains(e, "tokenizer.json")) << e;
  EXPECT_TRUE(contains(e, "zz")) << e;
}

TEST_F(TokMalformed, UnknownComponentTypesAreNamed) {
  auto e = error_of(make_json(R"({"type": "BertNormalizer"})"));
  EXPECT_TRUE(contains(e, "normalizer")) << e;
  EXPECT_TRUE(contains(e, "BertNormalizer")) << e;
  e = error_of(make_json("null", R"({"type": "Sequence", "pretokenizers": [{"type": "UnicodeScripts"}]})"));
  EXPECT_TRUE(contains(e, "pre_tokenizer")) << e;
  EXPECT_TRUE(contains(e, "UnicodeScripts")) << e;
  e = error_of(make_json("null", "null", R"({"type": "WordPiece"})"));
  EXPECT_TRUE(contains(e, "decoder")) << e;
  EXPECT_TRUE(contains(e, "WordPiece")) << e;
  e = error_of(make_json("null", "null", "null", R"({"type": "Unigram", "vocab": []})"));
  EXPECT_TRUE(contains(e, "Unigram")) << e;
  e = error_of(make_json("null", R"({"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated"})"));
  EXPECT_TRUE(contains(e, "(unclosed")) << e;
  e = error_of(make_json("null", R"({"type": "Split", "pattern": {"Regex": "a"}, "behavior": "Sideways"})"));
  EXPECT_TRUE(contains(e, "Sideways")) << e;
}

TEST_F(TokMalformed, TruncationAndFixedPaddingAreRejected) {
  std::string base = make_json();
  auto with = [&](const std::string& key_value) { return "{" + key_value + "," + base.substr(base.find('{') + 1); };
  auto e = error_of(with(R"("truncation": {"max_length": 8, "strategy": "LongestFirst"})"));
  EXPECT_TRUE(contains(e, "truncation")) << e;
  e = error_of(with(R"("padding": {"strategy": {"Fixed": 16}, "pad_id": 0})"));
  EXPECT_TRUE(contains(e, "padding")) << e;
  EXPECT_EQ(error_of(with(R"("padding": {"strategy": "BatchLongest", "pad_id": 0})")), "");
}

TEST_F(TokMalformed, MissingFilesAndDirectories) {
  EXPECT_THROW(Tokenizer::from_hf_dir(dir_), Error);
  EXPECT_THROW(Tokenizer::from_json_files(dir_ + "/nope.json", ""), Error);
  EXPECT_THROW(load_tokenizer(dir_ + "/nope"), Error);
  try {
    load_tokenizer(dir_ + "/model.gguf");
    FAIL();
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), "no such file or directory")) << e.what();
  }
}

TEST_F(TokMalformed, InvalidUtf8InputIsRejected) {
  auto tok = Tokenizer::from_json_files(write(make_json()), "");
  EXPECT_THROW(tok->encode("a\xC3", false), Error);
}

}  // namespace
}  // namespace slm
