// Every fixture conversation renders exactly as transformers renders it, or fails with
// exactly the message the template raises. One test per case, plus a summary count.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "chat/chat_template.h"
#include "slm/error.h"
#include "test_support.h"

namespace slm {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<nlohmann::ordered_json> load_cases() {
  std::vector<nlohmann::ordered_json> cases;
  std::ifstream in(test::fixture("templates/cases.jsonl"));
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) cases.push_back(nlohmann::ordered_json::parse(line));
  return cases;
}

std::optional<std::string> optional_token(const nlohmann::ordered_json& c, const char* key) {
  if (!c.contains(key) || c[key].is_null()) return std::nullopt;
  return c[key].get<std::string>();
}

struct Outcome {
  bool threw = false;
  std::string text;  // the rendering, or the error message
};

Outcome render_case(const nlohmann::ordered_json& c) {
  std::string source = read_file(test::fixture("templates/" + c["template"].get<std::string>()));
  ChatTemplate tmpl = ChatTemplate::from_string(source);
  tmpl.set_special_tokens(optional_token(c, "bos_token"), optional_token(c, "eos_token"));
  tmpl.set_clock(ChatTemplate::parse_iso_datetime(c["now"].get<std::string>()));
  try {
    return {false, tmpl.apply(c["messages"], c["tools"], c["add_generation_prompt"].get<bool>(), c["extra"])};
  } catch (const Error& e) {
    return {true, e.what()};
  }
}

bool matches(const nlohmann::ordered_json& c, const Outcome& o) {
  if (c.contains("expected_error")) return o.threw && o.text == c["expected_error"].get<std::string>();
  return !o.threw && o.text == c["expected"].get<std::string>();
}

class ChatTemplateCase : public ::testing::TestWithParam<nlohmann::ordered_json> {};

TEST_P(ChatTemplateCase, RendersExactly) {
  const auto& c = GetParam();
  Outcome o = render_case(c);
  if (c.contains("expected_error")) {
    EXPECT_TRUE(o.threw) << "rendered instead: " << o.text;
    EXPECT_EQ(o.text, c["expected_error"].get<std::string>());
  } else {
    EXPECT_FALSE(o.threw) << o.text;
    EXPECT_EQ(o.text, c["expected"].get<std::string>());
  }
}

// "Qwen__Qwen3-0.6B/tool_args_string" -> "Qwen__Qwen3_0_6B_tool_args_string"
std::string case_name(const ::testing::TestParamInfo<nlohmann::ordered_json>& info) {
  std::string name = info.param["id"].get<std::string>();
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(ChatTemplateFixtures, ChatTemplateCase, ::testing::ValuesIn(load_cases()), case_name);

TEST(ChatTemplateCases, AllFixtureCasesPass) {
  auto cases = load_cases();
  ASSERT_GT(cases.size(), 100u);
  size_t passed = 0;
  for (const auto& c : cases)
    if (matches(c, render_case(c))) ++passed;
  std::printf("fixture cases passed: %zu / %zu\n", passed, cases.size());
  EXPECT_EQ(passed, cases.size());
}

}  // namespace
}  // namespace slm
