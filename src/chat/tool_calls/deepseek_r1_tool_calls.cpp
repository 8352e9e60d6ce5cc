// DeepSeek-R1 distills: <｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME
// ```json\n{ARGS}\n```<｜tool▁call▁end｜>... <｜tool▁calls▁end｜>
#include "chat/tool_calls/tool_call.h"

namespace slm {

std::optional<ParsedToolCalls> parse_deepseek_r1_tool_calls(std::string_view text) {
  const auto markers = tool_call_marker_tokens(ToolCallFormat::kDeepSeekR1);
  const std::string &calls_begin = markers[0], &calls_end = markers[1], &call_begin = markers[2],
                    &call_end = markers[3], &sep = markers[4];
  ParsedToolCalls out;
  const size_t first = std::min(text.find(calls_begin), text.find(call_begin));
  if (first == std::string_view::npos) return std::nullopt;
  std::string content(text.substr(0, first));
  size_t pos = first;
  while (true) {
    const size_t start = text.find(call_begin, pos);
    if (start == std::string_view::npos) break;
    const size_t s = text.find(sep, start);
    if (s == std::string_view::npos) return std::nullopt;
    const size_t name_start = s + sep.size();
    const size_t nl = text.find('\n', name_start);
    if (nl == std::string_view::npos) return std::nullopt;
    ToolCall call;
    call.name = trim_whitespace(text.substr(name_start, nl - name_start));
    std::string_view rest = text.substr(nl + 1);
    if (rest.rfind("```json", 0) == 0) rest.remove_prefix(7);
    const size_t lead = rest.find_first_not_of(" \t\r\n");
    if (lead == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(lead);
    const size_t used = json_value_end(rest);
    if (used == 0 || call.name.empty()) return std::nullopt;
    auto args = nlohmann::json::parse(rest.substr(0, used), nullptr, false);
    if (args.is_discarded() || !args.is_object()) return std::nullopt;
    call.arguments = args.dump();
    out.calls.push_back(call);
    const size_t end = text.find(call_end, start);
    pos = end == std::string_view::npos ? text.size() : end + call_end.size();
  }
  if (out.calls.empty()) return std::nullopt;
  const size_t tail = text.find(calls_end, pos);
  if (tail != std::string_view::npos) content += text.substr(tail + calls_end.size());
  out.content = trim_whitespace(content);
  return out;
}

}  // namespace slm
