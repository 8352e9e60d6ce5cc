// `slm template` renders a conversation exactly and reports template errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace slm {
namespace {

nlohmann::ordered_json find_case(const std::string& id) {
  std::ifstream in(test::fixture("templates/cases.jsonl"));
  std::string line;
  while (std::getline(in, line)) {
    auto c = nlohmann::ordered_json::parse(line);
    if (c["id"] == id) return c;
  }
  ADD_FAILURE() << "no fixture case " << id;
  return {};
}

std::string write_file(const std::string& dir, const std::string& name, const std::string& text) {
  std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

void expect_cli_renders_case(const std::string& id) {
  SCOPED_TRACE(id);
  auto c = find_case(id);
  std::string dir = test::temp_dir("template-cli");
  std::string case_path = write_file(dir, "case.json", c.dump());
  std::string tmpl = test::fixture("templates/" + c["template"].get<std::string>());
  auto r = test::run_cli("template " + test::shell_quote(tmpl) + " --input " + test::shell_quote(case_path));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, c["expected"].get<std::string>());
  std::filesystem::remove_all(dir);
}

TEST(ChatTemplateCli, RendersFixtureCasesExactly) {
  expect_cli_renders_case("Qwen__Qwen3-0.6B/tool_roundtrip_final");
  expect_cli_renders_case("meta-llama__Llama-3.2-3B-Instruct/single_user_strftime_now");
  expect_cli_renders_case("HuggingFaceTB__SmolLM3-3B/xml_tools_no_think");
  expect_cli_renders_case("deepseek-ai__DeepSeek-R1-Distill-Qwen-1.5B/tool_calls_two");
}

TEST(ChatTemplateCli, RaisedTemplateErrorExitsOne) {
  auto c = find_case("google__gemma-3-4b-it/error_two_users");
  std::string dir = test::temp_dir("template-cli");
  std::string case_path = write_file(dir, "case.json", c.dump());
  std::string tmpl = test::fixture("templates/google__gemma-3-4b-it.jinja");
  auto r = test::run_cli("template " + test::shell_quote(tmpl) + " --input " + test::shell_quote(case_path));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("slm: error:", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(c["expected_error"].get<std::string>()), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}

TEST(ChatTemplateCli, SyntaxErrorExitsOneWithLine) {
  std::string dir = test::temp_dir("template-cli");
  std::string tmpl = write_file(dir, "bad.jinja", "ok\n{% if messages %}\nnever closed");
  std::string case_path = write_file(dir, "case.json", R"({"messages": [{"role": "user", "content": "hi"}]})");
  auto r = test::run_cli("template " + test::shell_quote(tmpl) + " --input " + test::shell_quote(case_path));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("slm: error:", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("line 3"), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}

TEST(ChatTemplateCli, RendersFromModelDirectory) {
  std::string dir = test::temp_dir("template-cli");
  std::string case_path = write_file(
      dir, "case.json",
      R"({"messages": [{"role": "user", "content": " Hi "}], "add_generation_prompt": true})");
  auto r = test::run_cli("template " + test::shell_quote(test::fixture("models/tiny-gemma3")) + " --input " +
                         test::shell_quote(case_path));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\n");
  std::filesystem::remove_all(dir);
}

TEST(ChatTemplateCli, MissingInputIsAUsageError) {
  auto r = test::run_cli("template " + test::shell_quote(test::fixture("models/tiny-qwen3")));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("slm: error:", 0), 0u) << r.err;
}

}  // namespace
}  // namespace slm
