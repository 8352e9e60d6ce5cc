// Phi-4-mini: <|tool_call|>[{"name": "f", "arguments": {...}}, ...]<|/tool_call|> (a single
// object is accepted too), or the older functools[...] spelling.
#include "chat/tool_calls/tool_call.h"

namespace slm {

std::optional<ParsedToolCalls> parse_phi4_tool_calls(std::string_view text) {
  ParsedToolCalls out;
  std::string content;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = text.find("<|tool_call|>", pos), open_len = 13;
    const size_t alt = text.find("functools[", pos);
    if (alt != std::string_view::npos && (start == std::string_view::npos || alt < start)) start = alt, open_len = 9;
    if (start == std::string_view::npos) break;
    content += text.substr(pos, start - pos);
    std::string_view rest = text.substr(start + open_len);
    const size_t lead = rest.find_first_not_of(" \t\r\n");
    if (lead == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(lead);
    const size_t used = json_value_end(rest);
    if (used == 0) return std::nullopt;
    auto value = nlohmann::json::parse(rest.substr(0, used), nullptr, false);
    if (value.is_discarded()) return std::nullopt;
    for (const auto& item : value.is_array() ? value : nlohmann::json::array({value})) {
      auto call = tool_call_from_json(item);
      if (!call) return std::nullopt;
      out.calls.push_back(*call);
    }
    pos = start + open_len + lead + used;
    std::string_view after = text.substr(pos);
    const size_t ws = after.find_first_not_of(" \t\r\n");
    if (ws != std::string_view::npos && after.substr(ws).rfind("<|/tool_call|>", 0) == 0) pos += ws + 14;
  }
  if (out.calls.empty()) return std::nullopt;
  content += text.substr(std::min(pos, text.size()));
  out.content = trim_whitespace(content);
  return out;
}

}  // namespace slm
