#include "chat/reasoning.h"

namespace slm {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}

std::string_view trim(std::string_view s) {
  s = trim_left(s);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

ReasoningSplit split_reasoning(std::string_view output, bool starts_in_reasoning, const ReasoningMarkers& markers) {
  ReasoningSplit result;
  std::string_view rest = output;
  std::string_view lead = trim_left(rest);
  bool opened = starts_in_reasoning;
  if (lead.substr(0, markers.open.size()) == markers.open) {
    rest = lead.substr(markers.open.size());
    opened = true;
  }
  size_t close = rest.find(markers.close);
  if (close != std::string_view::npos) {
    result.reasoning = std::string(trim(rest.substr(0, close)));
    result.content = std::string(trim_left(rest.substr(close + markers.close.size())));
  } else if (opened) {
    result.reasoning = std::string(trim(rest));
  } else {
    result.content = std::string(output);
  }
  return result;
}

bool prompt_opens_reasoning(std::string_view prompt, const ReasoningMarkers& markers) {
  size_t open = prompt.rfind(markers.open);
  if (open == std::string_view::npos) return false;
  size_t close = prompt.rfind(markers.close);
  return close == std::string_view::npos || close < open;
}

}  // namespace slm
