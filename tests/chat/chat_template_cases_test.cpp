// Every fixture conversation renders exactly as transformers renders it, or fails with
// exactly the message the template raises.
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

TEST(ChatTemplateCases, EveryFixtureCaseRendersExactly) {
  auto cases = load_cases();
  ASSERT_GT(cases.size(), 100u);
  int passed = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c["id"].get<std::string>());
    std::string source = read_file(test::fixture("templates/" + c["template"].get<std::string>()));
    ChatTemplate tmpl = ChatTemplate::from_string(source);
    tmpl.set_special_tokens(optional_token(c, "bos_token"), optional_token(c, "eos_token"));
    tmpl.set_clock(ChatTemplate::parse_iso_datetime(c["now"].get<std::string>()));
    std::string rendered, error;
    bool threw = false;
    try {
      rendered = tmpl.apply(c["messages"], c["tools"], c["add_generation_prompt"].get<bool>(), c["extra"]);
    } catch (const Error& e) {
      threw = true;
      error = e.what();
    }
    if (c.contains("expected_error")) {
      EXPECT_TRUE(threw) << "rendered instead: " << rendered;
      EXPECT_EQ(error, c["expected_error"].get<std::string>());
      if (threw && error == c["expected_error"].get<std::string>()) ++passed;
    } else {
      EXPECT_FALSE(threw) << error;
      EXPECT_EQ(rendered, c["expected"].get<std::string>());
      if (!threw && rendered == c["expected"].get<std::string>()) ++passed;
    }
  }
  std::printf("fixture cases passed: %d / %zu\n", passed, cases.size());
  EXPECT_EQ(passed, static_cast<int>(cases.size()));
}

}  // namespace
}  // namespace slm
