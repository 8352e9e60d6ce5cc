#pragma once
// The chat template a served model uses: a --chat-template file, the model directory's template,
// or the GGUF metadata `tokenizer.chat_template`, with the tokenizer's bos/eos strings.
#include <optional>
#include <string>

#include "chat/chat_template.h"
#include "engine/engine.h"

namespace slm::serve {

// nullopt when the model has no template (completions still work, chat does not).
std::optional<ChatTemplate> load_serving_template(const Engine& engine, const std::string& model_path,
                                                  const std::string& template_file);

}  // namespace slm::serve
