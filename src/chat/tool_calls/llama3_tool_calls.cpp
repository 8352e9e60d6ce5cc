// Llama 3.x JSON tool calls: the whole reply is {"name": "f", "parameters": {...}}, optionally
// after <|python_tag|>; several calls may be separated by ';' or newlines, or form a list.
#include "chat/tool_calls/tool_call.h"

namespace slm {

std::optional<ParsedToolCalls> parse_llama3_tool_calls(std::string_view text) {
  std::string body = trim_whitespace(text);
  static const std::string tag = "<|python_tag|>";
  if (body.rfind(tag, 0) == 0) body = trim_whitespace(std::string_view(body).substr(tag.size()));
  if (body.empty() || (body[0] != '{' && body[0] != '[')) return std::nullopt;
  ParsedToolCalls out;
  // One value (an object or a list of them), or several objects in a row.
  std::string_view rest = body;
  while (!rest.empty()) {
    const size_t used = json_value_end(rest);
    if (used == 0) return std::nullopt;
    auto value = nlohmann::json::parse(rest.substr(0, used), nullptr, false);
    if (value.is_discarded()) return std::nullopt;
    for (const auto& item : value.is_array() ? value : nlohmann::json::array({value})) {
      auto call = tool_call_from_json(item);
      if (!call) return std::nullopt;
      out.calls.push_back(*call);
    }
    rest.remove_prefix(used);
    while (!rest.empty() && (rest[0] == ';' || rest[0] == ' ' || rest[0] == '\n' || rest[0] == '\t' || rest[0] == '\r'))
      rest.remove_prefix(1);
  }
  if (out.calls.empty()) return std::nullopt;
  return out;
}

}  // namespace slm
