#pragma once
// Renders an OpenAI conversation through the model's chat template.
#include <string>

#include <nlohmann/json.hpp>

#include "chat/chat_template.h"
#include "chat/tool_calls/tool_call.h"

namespace slm::serve {

// Content given as parts is joined into text; tool-call arguments sent as JSON strings become
// objects (what Hugging Face templates expect) except for templates that print them verbatim.
// Template errors (raise_exception) become ApiError 400.
std::string render_chat_prompt(const ChatTemplate& tmpl, ToolCallFormat format, const nlohmann::ordered_json& messages,
                               const nlohmann::ordered_json& tools, const nlohmann::ordered_json& template_kwargs);

}  // namespace slm::serve
