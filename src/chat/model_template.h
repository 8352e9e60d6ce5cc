#pragma once
// Finds the chat template a model ships with: chat_template.jinja in the model
// directory, else the `chat_template` of tokenizer_config.json (a string, or a list of
// {name, template} where "default" is used), with its bos/eos tokens.
#include <optional>
#include <string>

#include "chat/chat_template.h"

namespace slm {

// The template text alone (same precedence), nullopt when the directory has none.
std::optional<std::string> find_chat_template_source(const std::string& model_dir);

// Throws slm::Error when the directory has no chat template.
ChatTemplate load_model_chat_template(const std::string& model_dir);

// A .jinja file (special tokens unset) or a model directory.
ChatTemplate load_chat_template(const std::string& jinja_file_or_model_dir);

}  // namespace slm
