// `slm tokenize` / `slm detokenize` through the real binary.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_support.h"

namespace slm {
namespace {

using test::run_cli;
using test::shell_quote;

std::string qwen3() { return shell_quote(test::fixture("tokenizers/qwen3")); }
std::string stories() { return shell_quote(test::fixture("models/stories260k")); }

TEST(TokCli, TokenizePrintsIdsAndPieces) {
  auto r = run_cli("tokenize " + qwen3() + " 'Hello world'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "9707\t\"Hello\"\n1879\t\"\xC4\xA0world\"\n");
}

TEST(TokCli, JsonAndNoSpecial) {
  auto r = run_cli("tokenize " + stories() + " 'Once upon a time' --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"ids\": [1, 403, 407, 261, 378]}\n");
  r = run_cli("tokenize " + stories() + " --no-special --json 'Once upon a time'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"ids\": [403, 407, 261, 378]}\n");
}

TEST(TokCli, FileAndStdinAreReadRaw) {
  std::string dir = test::temp_dir("tokcli");
  std::string path = dir + "/in.txt";
  { std::ofstream(path, std::ios::binary) << "a\r\nb\n"; }
  auto from_file = run_cli("tokenize " + qwen3() + " --json --file " + shell_quote(path));
  auto from_stdin = run_cli("tokenize " + qwen3() + " --json --file -", "a\r\nb\n");
  std::filesystem::remove_all(dir);
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
  EXPECT_EQ(from_file.out, from_stdin.out);
  EXPECT_EQ(from_file.out, "{\"ids\": [64, 319, 65, 198]}\n");  // a, CR LF, b, LF
}

TEST(TokCli, TokenizerJsonPathAndModelDirectory) {
  auto r = run_cli("tokenize " + shell_quote(test::fixture("tokenizers/qwen3/tokenizer.json")) + " --json 'Hello world'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"ids\": [9707, 1879]}\n");
  r = run_cli("tokenize " + shell_quote(test::fixture("models/tiny-llama3")) + " --json 'The'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("{\"ids\": [496, ", 0), 0u) << r.out;  // BOS first
}

TEST(TokCli, Detokenize) {
  auto r = run_cli("detokenize " + qwen3() + " 9707,1879");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Hello world\n");
  r = run_cli("detokenize " + stories() + " 1,403,407 --skip-special");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Once upon\n");
}

TEST(TokCli, ErrorsExitOne) {
  auto r = run_cli("tokenize /no/such/model 'x'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("slm: error: "), std::string::npos);
  EXPECT_NE(r.err.find("/no/such/model"), std::string::npos);
  r = run_cli("tokenize model.gguf 'x'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("model.gguf: no such file or directory"), std::string::npos);
  r = run_cli("detokenize " + qwen3() + " 1,abc");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("abc"), std::string::npos);
  r = run_cli("detokenize " + qwen3() + " 99999999");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("out of range"), std::string::npos);
  r = run_cli("tokenize " + qwen3() + " --file /no/such/file");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/no/such/file"), std::string::npos);
  r = run_cli("tokenize " + qwen3() + " 'x' --bogus");
  EXPECT_EQ(r.exit_code, 1);
  r = run_cli("tokenize " + qwen3());
  EXPECT_EQ(r.exit_code, 1);
  r = run_cli("tokenize " + qwen3() + " --file -", std::string("bad \xFF utf8"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("UTF-8"), std::string::npos);
}

}  // namespace
}  // namespace slm
