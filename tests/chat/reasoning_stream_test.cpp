#include "chat/reasoning_stream.h"

#include <gtest/gtest.h>

namespace slm {
namespace {

// Feeds `text` in pieces of `size` bytes and returns the joined reasoning and content.
ReasoningDelta stream(const std::string& text, size_t size, bool starts_in_reasoning = false) {
  ReasoningStreamSplitter s(starts_in_reasoning);
  ReasoningDelta all;
  for (size_t i = 0; i < text.size(); i += size) {
    auto d = s.push(text.substr(i, size));
    all.reasoning += d.reasoning;
    all.content += d.content;
  }
  auto d = s.flush();
  all.reasoning += d.reasoning;
  all.content += d.content;
  return all;
}

TEST(ChatTemplateReasoningStream, SplitsForEveryPieceSize) {
  const std::string out = "<think>\nLet me see: 2+2.\n</think>\n\nIt is 4.";
  for (size_t size = 1; size <= out.size(); ++size) {
    auto d = stream(out, size);
    EXPECT_EQ(d.reasoning, "\nLet me see: 2+2.\n") << size;
    EXPECT_EQ(d.content, "It is 4.") << size;
  }
}

TEST(ChatTemplateReasoningStream, PromptThatOpensTheThinkBlock) {
  auto d = stream("reasoning here</think>answer", 3, /*starts_in_reasoning=*/true);
  EXPECT_EQ(d.reasoning, "reasoning here");
  EXPECT_EQ(d.content, "answer");
}

TEST(ChatTemplateReasoningStream, NoMarkersIsAllContentAndAPartialMarkerIsReleased) {
  auto d = stream("plain answer with a < sign and <thin", 4);
  EXPECT_EQ(d.reasoning, "");
  EXPECT_EQ(d.content, "plain answer with a < sign and <thin");
}

TEST(ChatTemplateReasoningStream, EmptyThinkBlockLeavesNoResidue) {
  auto d = stream("<think>\n\n</think>\n\nHello!", 2);
  EXPECT_EQ(d.content, "Hello!");
  EXPECT_EQ(d.reasoning, "\n\n");
}

}  // namespace
}  // namespace slm
