#pragma once
// Splits a reasoning model's output into its thinking and its answer.
// Qwen3, SmolLM3 and DeepSeek-R1 write `<think>reasoning</think>answer`; templates that
// open the think block in the generation prompt (DeepSeek-R1-Distill, Qwen3-Thinking)
// make the output start inside it, so only `</think>` appears.
#include <string>
#include <string_view>

namespace slm {

struct ReasoningMarkers {
  std::string open = "<think>";
  std::string close = "</think>";
};

struct ReasoningSplit {
  std::string reasoning;  // without the markers and surrounding whitespace
  std::string content;    // the answer, without leading whitespace
};

// `starts_in_reasoning`: the prompt already opened the think block, so text before any
// close marker is reasoning even without an open marker. An unterminated think block
// is all reasoning; output without markers is all content.
ReasoningSplit split_reasoning(std::string_view output, bool starts_in_reasoning = false,
                               const ReasoningMarkers& markers = {});

// True when a rendered prompt leaves a think block open (its last open marker comes
// after its last close marker), i.e. generation starts inside the reasoning.
bool prompt_opens_reasoning(std::string_view prompt, const ReasoningMarkers& markers = {});

}  // namespace slm
