// Tool-call parsers, one family at a time, on fixed model outputs.
#include <gtest/gtest.h>

#include "chat/tool_calls/tool_call.h"

namespace slm {
namespace {

using json = nlohmann::json;

void expect_call(const ToolCall& c, const std::string& name, const json& args) {
  EXPECT_EQ(c.name, name);
  EXPECT_EQ(json::parse(c.arguments), args);
}

TEST(ServeToolCalls, HermesSeveralCallsAndContent) {
  auto r = parse_hermes_tool_calls(
      "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n"
      "<tool_call>\n{\"name\": \"get_time\", \"arguments\": \"{\\\"tz\\\": \\\"CET\\\"}\"}\n</tool_call>");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->calls.size(), 2u);
  expect_call(r->calls[0], "get_weather", {{"city", "Paris"}});
  expect_call(r->calls[1], "get_time", {{"tz", "CET"}});
  EXPECT_EQ(r->content, "Let me check.");
}

TEST(ServeToolCalls, HermesBrokenJsonIsPlainContent) {
  EXPECT_FALSE(parse_hermes_tool_calls("<tool_call>\n{\"name\": \"f\", \"arguments\": {\n</tool_call>"));
  EXPECT_FALSE(parse_hermes_tool_calls("no calls here"));
  EXPECT_FALSE(parse_hermes_tool_calls("<tool_call>{\"arguments\": {}}</tool_call>"));
  auto cut = parse_hermes_tool_calls("<tool_call>\n{\"name\": \"f\", \"arguments\": {}}");  // no close tag
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->calls[0].name, "f");
}

TEST(ServeToolCalls, Llama3BareJson) {
  auto r = parse_llama3_tool_calls(R"({"name": "get_weather", "parameters": {"city": "Oslo", "days": 2}})");
  ASSERT_TRUE(r);
  expect_call(r->calls[0], "get_weather", {{"city", "Oslo"}, {"days", 2}});
  auto tagged = parse_llama3_tool_calls(R"(<|python_tag|>{"name": "a", "parameters": {}}; {"name": "b", "parameters": {"x": 1}})");
  ASSERT_TRUE(tagged);
  ASSERT_EQ(tagged->calls.size(), 2u);
  expect_call(tagged->calls[1], "b", {{"x", 1}});
  EXPECT_FALSE(parse_llama3_tool_calls("The answer is {\"name\": 1}"));
  EXPECT_FALSE(parse_llama3_tool_calls(R"({"city": "Oslo"})"));
}

TEST(ServeToolCalls, Phi4) {
  auto r = parse_phi4_tool_calls(R"(<|tool_call|>[{"name": "f", "arguments": {"a": 1}}, {"name": "g", "arguments": {}}]<|/tool_call|>)");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->calls.size(), 2u);
  expect_call(r->calls[0], "f", {{"a", 1}});
  EXPECT_EQ(r->content, "");
  auto old = parse_phi4_tool_calls(R"(functools[{"name": "f", "arguments": {"a": "b"}}])");
  ASSERT_TRUE(old);
  expect_call(old->calls[0], "f", {{"a", "b"}});
  EXPECT_FALSE(parse_phi4_tool_calls("<|tool_call|>[{\"name\": "));
}

TEST(ServeToolCalls, GemmaToolCode) {
  auto r = parse_gemma_tool_calls("Sure.\n```tool_code\nget_weather(city=\"Paris\", days=3, metric=True, tags=['a', 'b'])\n```");
  ASSERT_TRUE(r);
  expect_call(r->calls[0], "get_weather", {{"city", "Paris"}, {"days", 3}, {"metric", true}, {"tags", {"a", "b"}}});
  EXPECT_EQ(r->content, "Sure.");
  auto js = parse_gemma_tool_calls(R"({"name": "f", "parameters": {"q": "x"}})");
  ASSERT_TRUE(js);
  expect_call(js->calls[0], "f", {{"q", "x"}});
  EXPECT_FALSE(parse_gemma_tool_calls("```tool_code\nnot a call\n```"));
}

TEST(ServeToolCalls, DeepSeekR1) {
  const auto m = tool_call_marker_tokens(ToolCallFormat::kDeepSeekR1);
  const std::string text = m[0] + m[2] + "function" + m[4] + "get_weather\n```json\n{\"city\": \"Rome\"}\n```" + m[3] + "\n" +
                           m[2] + "function" + m[4] + "get_time\n```json\n{}\n```" + m[3] + m[1];
  auto r = parse_deepseek_r1_tool_calls(text);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->calls.size(), 2u);
  expect_call(r->calls[0], "get_weather", {{"city", "Rome"}});
  expect_call(r->calls[1], "get_time", json::object());
}

TEST(ServeToolCalls, FormatDetectionAndForcedTemplatesRoundTrip) {
  EXPECT_EQ(detect_tool_call_format("<|im_start|>{{ tools }}<tool_call>"), ToolCallFormat::kHermes);
  EXPECT_EQ(detect_tool_call_format("<|start_header_id|>"), ToolCallFormat::kLlama3Json);
  EXPECT_EQ(detect_tool_call_format("<start_of_turn>"), ToolCallFormat::kGemma);
  EXPECT_EQ(detect_tool_call_format("<|user|>x<|end|><|tool|>"), ToolCallFormat::kPhi4);
  for (auto f : {ToolCallFormat::kHermes, ToolCallFormat::kLlama3Json, ToolCallFormat::kPhi4, ToolCallFormat::kGemma,
                 ToolCallFormat::kDeepSeekR1}) {
    auto t = forced_tool_call_template(f, "lookup");
    auto r = parse_tool_calls(f, t.prefix + R"({"q":"x"})" + t.suffix);
    ASSERT_TRUE(r) << tool_call_format_name(f);
    expect_call(r->calls[0], "lookup", {{"q", "x"}});
    EXPECT_EQ(r->content, "") << tool_call_format_name(f);
  }
}

}  // namespace
}  // namespace slm
