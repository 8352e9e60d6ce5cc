#include "serve/prompt_tokens.h"

namespace slm::serve {

std::vector<int32_t> encode_chat_prompt(const Tokenizer& tok, const std::string& prompt,
                                        const std::vector<std::string>& message_texts) {
  std::vector<int32_t> ids;
  size_t cursor = 0, plain_from = 0;
  for (const std::string& text : message_texts) {
    if (text.empty() || tok.encode(text, false) == tok.encode_ignoring_specials(text, false)) continue;
    const size_t at = prompt.find(text, cursor);
    if (at == std::string::npos) continue;  // the template changed the text; its markers are its own
    const auto before = tok.encode(std::string_view(prompt).substr(plain_from, at - plain_from), false);
    ids.insert(ids.end(), before.begin(), before.end());
    const auto literal = tok.encode_ignoring_specials(text, false);
    ids.insert(ids.end(), literal.begin(), literal.end());
    cursor = plain_from = at + text.size();
  }
  const auto rest = tok.encode(std::string_view(prompt).substr(plain_from), false);
  ids.insert(ids.end(), rest.begin(), rest.end());
  return ids;
}

}  // namespace slm::serve
