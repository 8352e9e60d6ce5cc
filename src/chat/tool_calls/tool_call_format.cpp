#include "chat/tool_calls/tool_call.h"

namespace slm {

ToolCallFormat detect_tool_call_format(std::string_view src) {
  auto has = [&](std::string_view s) { return src.find(s) != std::string_view::npos; };
  if (has("tool\xE2\x96\x81" "call\xE2\x96\x81" "begin") || has("<\xEF\xBD\x9C" "Assistant\xEF\xBD\x9C>"))
    return ToolCallFormat::kDeepSeekR1;
  if (has("<|tool_call|>") || has("<|tool|>")) return ToolCallFormat::kPhi4;
  if (has("<start_of_turn>")) return ToolCallFormat::kGemma;
  if (has("<|start_header_id|>") || has("<|python_tag|>")) return ToolCallFormat::kLlama3Json;
  if ((has("<|user|>") || has("<|assistant|>")) && has("<|end|>")) return ToolCallFormat::kPhi4;
  return ToolCallFormat::kHermes;
}

const char* tool_call_format_name(ToolCallFormat format) {
  switch (format) {
    case ToolCallFormat::kHermes: return "hermes";
    case ToolCallFormat::kLlama3Json: return "llama3-json";
    case ToolCallFormat::kPhi4: return "phi4";
    case ToolCallFormat::kGemma: return "gemma";
    case ToolCallFormat::kDeepSeekR1: return "deepseek-r1";
  }
  return "?";
}

std::optional<ParsedToolCalls> parse_tool_calls(ToolCallFormat format, std::string_view text) {
  switch (format) {
    case ToolCallFormat::kHermes: return parse_hermes_tool_calls(text);
    case ToolCallFormat::kLlama3Json: return parse_llama3_tool_calls(text);
    case ToolCallFormat::kPhi4: return parse_phi4_tool_calls(text);
    case ToolCallFormat::kGemma: return parse_gemma_tool_calls(text);
    case ToolCallFormat::kDeepSeekR1: return parse_deepseek_r1_tool_calls(text);
  }
  return std::nullopt;
}

std::vector<std::string> tool_call_openers(ToolCallFormat format) {
  switch (format) {
    case ToolCallFormat::kHermes: return {"<tool_call>"};
    case ToolCallFormat::kLlama3Json: return {"<|python_tag|>", "{\"name\"", "{ \"name\""};
    case ToolCallFormat::kPhi4: return {"<|tool_call|>", "functools["};
    case ToolCallFormat::kGemma: return {"```tool_code", "{\"name\"", "{ \"name\""};
    case ToolCallFormat::kDeepSeekR1: return {"<\xEF\xBD\x9Ctool\xE2\x96\x81" "calls\xE2\x96\x81" "begin\xEF\xBD\x9C>",
                                              "<\xEF\xBD\x9Ctool\xE2\x96\x81" "call\xE2\x96\x81" "begin\xEF\xBD\x9C>"};
  }
  return {};
}

std::vector<std::string> tool_call_marker_tokens(ToolCallFormat format) {
  switch (format) {
    case ToolCallFormat::kHermes: return {"<tool_call>", "</tool_call>"};
    case ToolCallFormat::kLlama3Json: return {"<|python_tag|>"};
    case ToolCallFormat::kPhi4: return {"<|tool_call|>", "<|/tool_call|>"};
    case ToolCallFormat::kGemma: return {};
    case ToolCallFormat::kDeepSeekR1: {
      const std::string bar = "\xEF\xBD\x9C", sep = "\xE2\x96\x81";
      return {"<" + bar + "tool" + sep + "calls" + sep + "begin" + bar + ">",
              "<" + bar + "tool" + sep + "calls" + sep + "end" + bar + ">",
              "<" + bar + "tool" + sep + "call" + sep + "begin" + bar + ">",
              "<" + bar + "tool" + sep + "call" + sep + "end" + bar + ">", "<" + bar + "tool" + sep + "sep" + bar + ">"};
    }
  }
  return {};
}

ToolCallTemplate forced_tool_call_template(ToolCallFormat format, const std::string& name) {
  const std::string quoted = nlohmann::json(name).dump();
  switch (format) {
    case ToolCallFormat::kHermes: return {"<tool_call>\n{\"name\":" + quoted + ",\"arguments\":", "}\n</tool_call>"};
    case ToolCallFormat::kLlama3Json:
    case ToolCallFormat::kGemma: return {"{\"name\":" + quoted + ",\"parameters\":", "}"};
    case ToolCallFormat::kPhi4: return {"<|tool_call|>[{\"name\":" + quoted + ",\"arguments\":", "}]<|/tool_call|>"};
    case ToolCallFormat::kDeepSeekR1: {
      const auto m = tool_call_marker_tokens(format);
      return {m[0] + m[2] + "function" + m[4] + name + "\n```json\n", "\n```" + m[3] + m[1]};
    }
  }
  return {};
}

std::string tool_call_opener(ToolCallFormat format) {
  const std::string marker = "slm_tool_name_marker";
  const std::string prefix = forced_tool_call_template(format, marker).prefix;
  // The parser's own opener, so that text which merely starts like a call never appears.
  std::string best = prefix.substr(0, prefix.find(marker));
  for (const auto& o : tool_call_openers(format))
    if (prefix.rfind(o, 0) == 0 && o.size() < best.size()) best = o;
  return best;
}

std::optional<ToolCall> tool_call_from_json(const nlohmann::json& call) {
  if (!call.is_object() || !call.contains("name") || !call["name"].is_string()) return std::nullopt;
  ToolCall c;
  c.name = call["name"].get<std::string>();
  const nlohmann::json* args = nullptr;
  for (const char* key : {"arguments", "parameters"})
    if (call.contains(key)) args = &call[key];
  if (!args) {
    c.arguments = "{}";
  } else if (args->is_string()) {
    auto parsed = nlohmann::json::parse(args->get<std::string>(), nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
    c.arguments = parsed.dump();
  } else if (args->is_object()) {
    c.arguments = args->dump();
  } else {
    return std::nullopt;
  }
  return c;
}

std::string trim_whitespace(std::string_view s) {
  const char* ws = " \t\r\n";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return "";
  const size_t e = s.find_last_not_of(ws);
  return std::string(s.substr(b, e - b + 1));
}

size_t json_value_end(std::string_view s) {
  if (s.empty() || (s[0] != '{' && s[0] != '[')) return 0;
  int depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') ++depth;
    else if ((c == '}' || c == ']') && --depth == 0) return i + 1;
  }
  return 0;
}

}  // namespace slm
