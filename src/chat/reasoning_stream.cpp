#include "chat/reasoning_stream.h"

#include <algorithm>

namespace slm {

ReasoningStreamSplitter::ReasoningStreamSplitter(bool starts_in_reasoning, ReasoningMarkers markers)
    : markers_(std::move(markers)), in_reasoning_(starts_in_reasoning) {}

void ReasoningStreamSplitter::emit(std::string_view text, ReasoningDelta& out) {
  if (in_reasoning_) {
    out.reasoning += text;
    return;
  }
  if (at_content_start_) {  // the answer starts after the whitespace that follows </think>
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return;
    text.remove_prefix(first);
    at_content_start_ = false;
  }
  out.content += text;
}

ReasoningDelta ReasoningStreamSplitter::push(std::string_view text) {
  ReasoningDelta out;
  pending_ += text;
  for (;;) {
    const std::string& marker = in_reasoning_ ? markers_.close : markers_.open;
    const size_t at = pending_.find(marker);
    if (at != std::string::npos) {
      emit(std::string_view(pending_).substr(0, at), out);
      pending_.erase(0, at + marker.size());
      in_reasoning_ = !in_reasoning_;
      at_content_start_ = true;
      continue;
    }
    // Hold back a tail that could be the start of the marker.
    size_t keep = 0;
    for (size_t n = std::min(marker.size() - 1, pending_.size()); n > 0; --n)
      if (pending_.compare(pending_.size() - n, n, marker, 0, n) == 0) {
        keep = n;
        break;
      }
    emit(std::string_view(pending_).substr(0, pending_.size() - keep), out);
    pending_.erase(0, pending_.size() - keep);
    return out;
  }
}

ReasoningDelta ReasoningStreamSplitter::flush() {
  ReasoningDelta out;
  emit(pending_, out);
  pending_.clear();
  return out;
}

}  // namespace slm
