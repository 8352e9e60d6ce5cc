// <tool_call>\n{"name": "f", "arguments": {...}}\n</tool_call>, possibly several, with text around.
#include "chat/tool_calls/tool_call.h"

namespace slm {

std::optional<ParsedToolCalls> parse_hermes_tool_calls(std::string_view text) {
  static const std::string open = "<tool_call>", close = "</tool_call>";
  ParsedToolCalls out;
  std::string content;
  size_t pos = 0;
  while (true) {
    const size_t start = text.find(open, pos);
    if (start == std::string_view::npos) break;
    content += text.substr(pos, start - pos);
    const size_t body = start + open.size();
    size_t end = text.find(close, body);
    // A call cut off by the token limit may lack its close tag; take it if the JSON is whole.
    const std::string_view inner = text.substr(body, end == std::string_view::npos ? std::string_view::npos : end - body);
    auto json = nlohmann::json::parse(inner, nullptr, false);
    auto call = json.is_discarded() ? std::nullopt : tool_call_from_json(json);
    if (!call) return std::nullopt;
    out.calls.push_back(*call);
    pos = end == std::string_view::npos ? text.size() : end + close.size();
  }
  if (out.calls.empty()) return std::nullopt;
  content += text.substr(std::min(pos, text.size()));
  out.content = trim_whitespace(content);
  return out;
}

}  // namespace slm
