#pragma once
// The chat template a loaded model ships: a Hugging Face directory's (chat_template.jinja or
// tokenizer_config.json) or a GGUF's tokenizer.chat_template, with its BOS/EOS token strings.
#include <optional>

#include "chat/chat_template.h"
#include "engine/engine.h"

namespace slm {

// nullopt when the model has no template (e.g. a base model).
std::optional<ChatTemplate> find_model_chat_template(const Engine& engine);

}  // namespace slm
