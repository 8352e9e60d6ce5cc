// The vocabulary embedded in each model fixture's GGUF tokenizes like the fixture's tokenizer.json,
// through the same loader the CLI uses.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "test_support.h"
#include "text/load_tokenizer.h"

namespace slm {
namespace {

TEST(TokGgufModel, EmbeddedVocabularyMatchesTokenizerJson) {
  for (const char* name : {"tiny-llama3", "tiny-qwen2", "tiny-qwen3", "tiny-smollm3", "tiny-phi3", "tiny-gemma3",
                           "tiny-qwen35", "tiny-gemma3n", "stories260k"}) {
    const std::string dir = test::fixture(std::string("models/") + name);
    auto from_json = load_tokenizer(dir);
    auto from_gguf = load_tokenizer(dir + "/model.gguf");
    std::vector<std::string> texts = {"The quick brown fox jumps over the lazy dog. Once upon a time",
                                      "Hello,  world!\n\n  x = 42;", "Lily and Tom 123 456"};
    std::ifstream in(dir + "/reference.json");
    if (in) texts.push_back(nlohmann::json::parse(in)["prompt_text"].get<std::string>());
    for (const auto& text : texts) {
      EXPECT_EQ(from_gguf->encode(text, true), from_json->encode(text, true)) << name << ": " << text;
      auto ids = from_json->encode(text, false);
      EXPECT_EQ(from_gguf->decode(ids, true), from_json->decode(ids, true)) << name;
    }
  }
}

TEST(TokGgufModel, CliTokenizesGgufLikeTheDirectory) {
  const std::string dir = test::fixture("models/tiny-llama3");
  auto a = test::run_cli("tokenize " + dir + " 'Once upon a time' --json");
  auto b = test::run_cli("tokenize " + dir + "/model.gguf 'Once upon a time' --json");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(a.out, b.out);
}

}  // namespace
}  // namespace slm
