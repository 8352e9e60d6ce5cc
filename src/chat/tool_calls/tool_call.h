#pragma once
// Tool calls in model output. Each model family writes calls its own way; a parser per family
// turns the text into calls, and text it cannot read stays plain content.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace slm {

struct ToolCall {
  std::string name;
  std::string arguments;  // a JSON object, as text
};

struct ParsedToolCalls {
  std::string content;  // text around the calls, trimmed
  std::vector<ToolCall> calls;
};

enum class ToolCallFormat {
  kHermes,      // Qwen 2.5/3, Jan, SmolLM3: <tool_call>{"name":..,"arguments":..}</tool_call>
  kLlama3Json,  // Llama 3.x: a bare {"name":..,"parameters":..}, optionally after <|python_tag|>
  kPhi4,        // Phi-4-mini: <|tool_call|>[{"name":..,"arguments":..}]<|/tool_call|>
  kGemma,       // Gemma 3: ```tool_code\nname(key=value)\n``` or bare JSON
  kDeepSeekR1,  // DeepSeek-R1 distills: <｜tool▁call▁begin｜>function<｜tool▁sep｜>name\n```json\n{..}\n```<｜tool▁call▁end｜>
};

// Picks the format from the chat template's text.
ToolCallFormat detect_tool_call_format(std::string_view template_source);
const char* tool_call_format_name(ToolCallFormat format);

// nullopt when the text holds no call the parser can read in full (it is then plain content).
std::optional<ParsedToolCalls> parse_tool_calls(ToolCallFormat format, std::string_view text);

// Strings after which the output is a tool call: streaming holds text back from there on.
std::vector<std::string> tool_call_openers(ToolCallFormat format);
// Special tokens the format's markers use; output keeps them as text so the parser sees them.
std::vector<std::string> tool_call_marker_tokens(ToolCallFormat format);

// How one forced call of `name` is written: prefix + ARGUMENTS_JSON + suffix.
struct ToolCallTemplate {
  std::string prefix, suffix;
};
ToolCallTemplate forced_tool_call_template(ToolCallFormat format, const std::string& name);
// The start every forced call shares, whatever the tool: the shortest parser opener.
std::string tool_call_opener(ToolCallFormat format);

// Per-family parsers (text in, calls out; nullopt when none could be read).
std::optional<ParsedToolCalls> parse_hermes_tool_calls(std::string_view text);
std::optional<ParsedToolCalls> parse_llama3_tool_calls(std::string_view text);
std::optional<ParsedToolCalls> parse_phi4_tool_calls(std::string_view text);
std::optional<ParsedToolCalls> parse_gemma_tool_calls(std::string_view text);
std::optional<ParsedToolCalls> parse_deepseek_r1_tool_calls(std::string_view text);

// Shared helpers.
// A call from a JSON object with "name" and "arguments" or "parameters" (object or JSON string).
std::optional<ToolCall> tool_call_from_json(const nlohmann::json& call);
std::string trim_whitespace(std::string_view s);
// Length of the balanced {...} or [...] at the start of `s` (strings respected); 0 if none.
size_t json_value_end(std::string_view s);

}  // namespace slm
