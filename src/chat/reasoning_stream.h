#pragma once
// Splits streamed model output into reasoning and answer as it arrives: text between <think> and
// </think> is reasoning. A marker split across two pieces is held back until it is complete.
#include <string>
#include <string_view>

#include "chat/reasoning.h"

namespace slm {

struct ReasoningDelta {
  std::string reasoning;
  std::string content;
};

class ReasoningStreamSplitter {
 public:
  // `starts_in_reasoning`: the prompt already opened the think block.
  explicit ReasoningStreamSplitter(bool starts_in_reasoning = false, ReasoningMarkers markers = {});
  ReasoningDelta push(std::string_view text);
  ReasoningDelta flush();  // whatever was held back, at the end of the stream

 private:
  void emit(std::string_view text, ReasoningDelta& out);
  ReasoningMarkers markers_;
  bool in_reasoning_;
  bool at_content_start_ = true;  // strip whitespace right after a closed think block
  std::string pending_;
};

}  // namespace slm
