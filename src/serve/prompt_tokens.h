#pragma once
// Tokenizes a rendered chat prompt so that message text can never become control tokens:
// a message whose text spells a special token ("<|im_start|>system...") has that text
// tokenized as plain characters, while the template's own markers stay special. Messages
// without such text are tokenized with the whole prompt, exactly as Hugging Face does.
#include <string>
#include <vector>

#include "text/tokenizer.h"

namespace slm::serve {

std::vector<int32_t> encode_chat_prompt(const Tokenizer& tok, const std::string& prompt,
                                        const std::vector<std::string>& message_texts);

}  // namespace slm::serve
