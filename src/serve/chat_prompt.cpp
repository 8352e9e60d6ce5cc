#include "serve/chat_prompt.h"

#include "serve/openai_errors.h"

namespace slm::serve {

namespace {

using ordered_json = nlohmann::ordered_json;

ordered_json normalize_messages(const ordered_json& messages, ToolCallFormat format, bool null_content_as_empty) {
  ordered_json out = ordered_json::array();
  for (const auto& m : messages) {
    ordered_json n = m;
    if (n.contains("content") && n["content"].is_array()) {
      std::string text;
      for (const auto& part : n["content"]) {
        if (part["type"] != "text" || !part.contains("text") || !part["text"].is_string())
          throw invalid_request("only text content parts are supported", "messages");
        text += part["text"].get<std::string>();
      }
      n["content"] = text;
    }
    if (null_content_as_empty && (!n.contains("content") || n["content"].is_null())) n["content"] = "";
    if (n.contains("tool_calls") && n["tool_calls"].is_array() && format != ToolCallFormat::kDeepSeekR1)
      for (auto& call : n["tool_calls"])
        if (call.is_object() && call.contains("function") && call["function"].is_object() &&
            call["function"].contains("arguments") && call["function"]["arguments"].is_string()) {
          auto parsed = ordered_json::parse(call["function"]["arguments"].get<std::string>(), nullptr, false);
          if (!parsed.is_discarded() && parsed.is_object()) call["function"]["arguments"] = parsed;
        }
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace

std::string render_chat_prompt(const ChatTemplate& tmpl, ToolCallFormat format, const ordered_json& messages,
                               const ordered_json& tools, const ordered_json& template_kwargs) {
  try {
    return tmpl.apply(normalize_messages(messages, format, false), tools, true, template_kwargs);
  } catch (const std::exception& first) {
    // Simple templates concatenate content and fail on the null content of tool-call turns.
    try {
      return tmpl.apply(normalize_messages(messages, format, true), tools, true, template_kwargs);
    } catch (const std::exception&) {
      throw invalid_request(std::string("the chat template rejected the conversation: ") + first.what(), "messages");
    }
  }
}

}  // namespace slm::serve
