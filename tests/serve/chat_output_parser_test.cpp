// Streaming split of replies into reasoning, content and tool calls; stop strings.
#include <gtest/gtest.h>

#include "serve/chat_output_parser.h"
#include "serve/stop_strings.h"

namespace slm::serve {
namespace {

// Feeds `text` in pieces of `step` bytes and joins the deltas.
ChatDelta feed(ChatOutputOptions o, const std::string& text, size_t step) {
  ChatOutputParser p(o);
  ChatDelta all;
  auto add = [&](const ChatDelta& d) {
    all.reasoning += d.reasoning;
    all.content += d.content;
    for (const auto& c : d.tool_calls) all.tool_calls.push_back(c);
  };
  for (size_t i = 0; i < text.size(); i += step) add(p.push(text.substr(i, step)));
  add(p.finish());
  return all;
}

TEST(ServeChatOutput, ReasoningSplitMatchesSplitReasoningAtAnyChunking) {
  ChatOutputOptions o;
  o.reasoning = true;
  for (const std::string text : {"<think>\nLet me think.\n\nOK.\n</think>\n\nThe answer is 4.", "Plain answer.",
                                 "<think></think>Answer", "  <think>unfinished thought", "<thi", "<think>\n\n</think>\n\nHi"}) {
    const ReasoningSplit expected = split_reasoning(text);
    for (size_t step : {1, 2, 3, 7, 100}) {
      ChatDelta d = feed(o, text, step);
      EXPECT_EQ(d.reasoning, expected.reasoning) << text << " step " << step;
      EXPECT_EQ(d.content, expected.content) << text << " step " << step;
    }
  }
}

TEST(ServeChatOutput, PromptOpenedReasoning) {
  ChatOutputOptions o;
  o.reasoning = true;
  o.starts_in_reasoning = true;
  ChatDelta d = feed(o, "step one\nstep two\n</think>\n\nDone.", 3);
  EXPECT_EQ(d.reasoning, "step one\nstep two");
  EXPECT_EQ(d.content, "Done.");
}

TEST(ServeChatOutput, NoThinkResidueInContent) {
  ChatOutputOptions o;
  o.reasoning = true;
  ChatDelta d = feed(o, "Hello <think></think>world", 2);
  EXPECT_EQ(d.content, "Hello world");
  EXPECT_EQ(d.reasoning, "");
}

TEST(ServeChatOutput, ToolCallsAfterContentAndFallback) {
  ChatOutputOptions o;
  o.tools = ToolCallFormat::kHermes;
  ChatDelta d = feed(o, "Checking.\n<tool_call>\n{\"name\": \"f\", \"arguments\": {\"x\": 1}}\n</tool_call>", 4);
  ASSERT_EQ(d.tool_calls.size(), 1u);
  EXPECT_EQ(d.tool_calls[0].name, "f");
  EXPECT_EQ(d.content, "Checking.\n");
  ChatDelta broken = feed(o, "A <tool_call>{\"name\": oops", 3);
  EXPECT_TRUE(broken.tool_calls.empty());
  EXPECT_EQ(broken.content, "A <tool_call>{\"name\": oops");
}

TEST(ServeChatOutput, ReasoningThenToolCall) {
  ChatOutputOptions o;
  o.reasoning = true;
  o.tools = ToolCallFormat::kHermes;
  ChatDelta d = feed(o, "<think>need weather</think>\n<tool_call>\n{\"name\": \"w\", \"arguments\": {}}\n</tool_call>", 5);
  EXPECT_EQ(d.reasoning, "need weather");
  ASSERT_EQ(d.tool_calls.size(), 1u);
  EXPECT_EQ(d.content, "");
}

TEST(ServeStopStrings, CutsAcrossPiecesAndHoldsPartialMatches) {
  StopStrings s({"STOP", "\n\n"});
  std::string out = s.push("Hello S");
  out += s.push("T");
  EXPECT_EQ(out, "Hello ");
  out += s.push("Xyz S");
  EXPECT_EQ(out, "Hello STXyz ");
  out += s.push("TOP and more");
  EXPECT_TRUE(s.stopped());
  EXPECT_EQ(out, "Hello STXyz ");
  StopStrings none({});
  EXPECT_EQ(none.push("abc"), "abc");
  EXPECT_EQ(none.flush(), "");
}

}  // namespace
}  // namespace slm::serve
