#include "serve/serving_template.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "chat/model_template.h"
#include "slm/error.h"

namespace slm::serve {

namespace {

std::optional<std::string> token_string(const Tokenizer* tok, std::optional<int32_t> id) {
  if (!tok || !id) return std::nullopt;
  return tok->token_piece(*id);
}

}  // namespace

std::optional<ChatTemplate> load_serving_template(const Engine& engine, const std::string& model_path,
                                                  const std::string& template_file) {
  const Tokenizer* tok = engine.tokenizer();
  const auto& files = engine.model().files();
  std::optional<std::string> source;
  if (!template_file.empty()) {
    std::ifstream in(template_file, std::ios::binary);
    if (!in) throw Error(template_file + ": cannot open the chat template");
    std::ostringstream ss;
    ss << in.rdbuf();
    source = ss.str();
  } else if (files.gguf) {
    if (files.gguf->has("tokenizer.chat_template")) source = files.gguf->get_string("tokenizer.chat_template");
  } else {
    try {
      ChatTemplate t = load_model_chat_template(model_path);
      if (!t.bos_token() && !t.eos_token())
        t.set_special_tokens(token_string(tok, tok ? tok->bos_id() : std::nullopt),
                             token_string(tok, tok ? tok->eos_id() : std::nullopt));
      return t;
    } catch (const Error&) {
      return std::nullopt;  // no template in the directory
    }
  }
  if (!source) return std::nullopt;
  ChatTemplate t = ChatTemplate::from_string(*source);
  if (files.hf_dir.empty() || template_file.empty()) {
    t.set_special_tokens(token_string(tok, tok ? tok->bos_id() : std::nullopt),
                         token_string(tok, tok ? tok->eos_id() : std::nullopt));
  } else {
    // An override template keeps the model directory's special tokens.
    try {
      ChatTemplate m = load_model_chat_template(files.hf_dir);
      t.set_special_tokens(m.bos_token(), m.eos_token());
    } catch (const Error&) {
      t.set_special_tokens(token_string(tok, tok ? tok->bos_id() : std::nullopt),
                           token_string(tok, tok ? tok->eos_id() : std::nullopt));
    }
  }
  return t;
}

}  // namespace slm::serve
