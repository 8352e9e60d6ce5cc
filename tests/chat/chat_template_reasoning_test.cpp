// Splitting model output into reasoning and answer.
#include <gtest/gtest.h>

#include "chat/reasoning.h"

namespace slm {
namespace {

TEST(ChatTemplateReasoning, SplitsThinkBlockFromAnswer) {
  auto r = split_reasoning("<think>\nLet me add.\n2+2=4.\n</think>\n\nThe answer is 4.");
  EXPECT_EQ(r.reasoning, "Let me add.\n2+2=4.");
  EXPECT_EQ(r.content, "The answer is 4.");
}

TEST(ChatTemplateReasoning, OutputWithOnlyCloseMarkerStartsInsideReasoning) {
  // DeepSeek-R1-Distill and Qwen3-Thinking open `<think>\n` in the generation prompt.
  auto r = split_reasoning("Thinking it over.\n</think>\n\nDone.", /*starts_in_reasoning=*/true);
  EXPECT_EQ(r.reasoning, "Thinking it over.");
  EXPECT_EQ(r.content, "Done.");
  // A close marker alone implies the block was open even when the caller did not say so.
  auto implicit = split_reasoning("Hmm.</think>Yes.");
  EXPECT_EQ(implicit.reasoning, "Hmm.");
  EXPECT_EQ(implicit.content, "Yes.");
}

TEST(ChatTemplateReasoning, UnterminatedThinkingIsAllReasoning) {
  auto r = split_reasoning("<think>\nStill thinking about");
  EXPECT_EQ(r.reasoning, "Still thinking about");
  EXPECT_EQ(r.content, "");
  auto started = split_reasoning("cut off mid", /*starts_in_reasoning=*/true);
  EXPECT_EQ(started.reasoning, "cut off mid");
  EXPECT_EQ(started.content, "");
}

TEST(ChatTemplateReasoning, NoThinkingIsAllContent) {
  auto r = split_reasoning("Just an answer.\n");
  EXPECT_EQ(r.reasoning, "");
  EXPECT_EQ(r.content, "Just an answer.\n");
}

TEST(ChatTemplateReasoning, EmptyThinkBlockFromNoThinkMode) {
  auto r = split_reasoning("<think>\n\n</think>\n\nHello!");
  EXPECT_EQ(r.reasoning, "");
  EXPECT_EQ(r.content, "Hello!");
}

TEST(ChatTemplateReasoning, CustomMarkers) {
  ReasoningMarkers markers{"<reasoning>", "</reasoning>"};
  auto r = split_reasoning("<reasoning>why</reasoning>what", false, markers);
  EXPECT_EQ(r.reasoning, "why");
  EXPECT_EQ(r.content, "what");
}

TEST(ChatTemplateReasoning, DetectsPromptThatOpensReasoning) {
  EXPECT_TRUE(prompt_opens_reasoning("<|im_start|>assistant\n<think>\n"));
  EXPECT_TRUE(prompt_opens_reasoning("<｜Assistant｜><think>\n"));
  EXPECT_FALSE(prompt_opens_reasoning("<|im_start|>assistant\n<think>\n\n</think>\n\n"));
  EXPECT_FALSE(prompt_opens_reasoning("<|im_start|>assistant\n"));
}

}  // namespace
}  // namespace slm
