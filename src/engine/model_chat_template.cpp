#include "engine/model_chat_template.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/mapped_file.h"
#include "chat/model_template.h"
#include "slm/error.h"

namespace slm {

std::optional<ChatTemplate> find_model_chat_template(const Engine& engine) {
  const ModelFiles& files = engine.model().files();
  if (files.gguf) {
    if (!files.gguf->has("tokenizer.chat_template")) return std::nullopt;
    ChatTemplate t;
    try {
      t = ChatTemplate::from_string(files.gguf->get_string("tokenizer.chat_template"));
    } catch (const Error& e) {
      throw Error(files.path + ": tokenizer.chat_template: " + e.what());
    }
    std::optional<std::string> bos, eos;
    if (const Tokenizer* tok = engine.tokenizer()) {
      if (auto id = tok->bos_id()) bos = tok->token_piece(*id);
      if (auto id = tok->eos_id()) eos = tok->token_piece(*id);
    }
    t.set_special_tokens(bos, eos);
    return t;
  }
  namespace fs = std::filesystem;
  const fs::path dir(files.hf_dir);
  bool has_template = fs::exists(dir / "chat_template.jinja") || fs::exists(dir / "chat_template.json");
  if (!has_template && fs::exists(dir / "tokenizer_config.json")) {
    try {
      has_template = nlohmann::json::parse(read_text_file((dir / "tokenizer_config.json").string()))
                         .contains("chat_template");
    } catch (const nlohmann::json::exception& e) {
      throw Error((dir / "tokenizer_config.json").string() + ": invalid JSON: " + e.what());
    }
  }
  if (!has_template) return std::nullopt;
  return load_model_chat_template(files.hf_dir);
}

}  // namespace slm
