// Gemma 3 has no tool tokens; its prompts usually ask for a Python-style call in a tool_code
// block (```tool_code\nget_weather(city="Paris", days=3)\n```), or for a JSON object as Llama.
#include <cctype>

#include "chat/tool_calls/tool_call.h"

namespace slm {

namespace {

// Reads Python literals (str, int, float, True/False/None, list, dict) into JSON.
class PythonLiteralReader {
 public:
  explicit PythonLiteralReader(std::string_view s) : s_(s) {}

  bool value(nlohmann::json& out) {
    skip_ws();
    if (at_end()) return false;
    const char c = s_[i_];
    if (c == '"' || c == '\'') return string(out);
    if (c == '[' || c == '(') return list(out, c == '[' ? ']' : ')');
    if (c == '{') return dict(out);
    for (auto [word, v] : {std::pair<const char*, nlohmann::json>{"True", true}, {"False", false}, {"None", nullptr},
                           {"true", true}, {"false", false}, {"null", nullptr}})
      if (s_.substr(i_).rfind(word, 0) == 0) {
        i_ += std::string_view(word).size();
        out = v;
        return true;
      }
    return number(out);
  }
  bool identifier(std::string& out) {
    skip_ws();
    const size_t start = i_;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' || s_[i_] == '.')) ++i_;
    out = std::string(s_.substr(start, i_ - start));
    return !out.empty();
  }
  bool expect(char c) {
    skip_ws();
    if (at_end() || s_[i_] != c) return false;
    ++i_;
    return true;
  }
  bool peek(char c) {
    skip_ws();
    return !at_end() && s_[i_] == c;
  }
  size_t position() const { return i_; }

 private:
  bool at_end() const { return i_ >= s_.size(); }
  void skip_ws() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool string(nlohmann::json& out) {
    const char quote = s_[i_++];
    std::string text;
    while (!at_end() && s_[i_] != quote) {
      char c = s_[i_++];
      if (c == '\\' && !at_end()) {
        const char e = s_[i_++];
        c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
      }
      text += c;
    }
    if (at_end()) return false;
    ++i_;
    out = text;
    return true;
  }
  bool number(nlohmann::json& out) {
    const size_t start = i_;
    while (!at_end() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || std::string_view("+-.eE").find(s_[i_]) != std::string_view::npos))
      ++i_;
    if (start == i_) return false;
    out = nlohmann::json::parse(s_.substr(start, i_ - start), nullptr, false);
    return !out.is_discarded();
  }
  bool list(nlohmann::json& out, char close) {
    ++i_;
    out = nlohmann::json::array();
    if (expect(close)) return true;
    do {
      nlohmann::json v;
      if (!value(v)) return false;
      out.push_back(v);
    } while (expect(','));
    return expect(close);
  }
  bool dict(nlohmann::json& out) {
    ++i_;
    out = nlohmann::json::object();
    if (expect('}')) return true;
    do {
      nlohmann::json k, v;
      if (!value(k) || !k.is_string() || !expect(':') || !value(v)) return false;
      out[k.get<std::string>()] = v;
    } while (expect(','));
    return expect('}');
  }

  std::string_view s_;
  size_t i_ = 0;
};

// name(key=value, ...)
std::optional<ToolCall> parse_python_call(std::string_view code) {
  PythonLiteralReader r(code);
  ToolCall call;
  if (!r.identifier(call.name) || !r.expect('(')) return std::nullopt;
  nlohmann::json args = nlohmann::json::object();
  if (!r.expect(')')) {
    do {
      std::string key;
      nlohmann::json v;
      if (!r.identifier(key) || !r.expect('=') || !r.value(v)) return std::nullopt;
      args[key] = v;
    } while (r.expect(','));
    if (!r.expect(')')) return std::nullopt;
  }
  call.arguments = args.dump();
  return call;
}

}  // namespace

std::optional<ParsedToolCalls> parse_gemma_tool_calls(std::string_view text) {
  static const std::string open = "```tool_code";
  const size_t start = text.find(open);
  if (start == std::string_view::npos) return parse_llama3_tool_calls(text);
  ParsedToolCalls out;
  std::string content(text.substr(0, start));
  const size_t body = start + open.size();
  const size_t end = text.find("```", body);
  std::string_view code = text.substr(body, end == std::string_view::npos ? std::string_view::npos : end - body);
  // One call per line.
  size_t line_start = 0;
  while (line_start <= code.size()) {
    size_t nl = code.find('\n', line_start);
    std::string line = trim_whitespace(code.substr(line_start, nl == std::string_view::npos ? std::string_view::npos : nl - line_start));
    if (!line.empty()) {
      auto call = parse_python_call(line);
      if (!call) return std::nullopt;
      out.calls.push_back(*call);
    }
    if (nl == std::string_view::npos) break;
    line_start = nl + 1;
  }
  if (out.calls.empty()) return std::nullopt;
  if (end != std::string_view::npos) content += text.substr(end + 3);
  out.content = trim_whitespace(content);
  return out;
}

}  // namespace slm
