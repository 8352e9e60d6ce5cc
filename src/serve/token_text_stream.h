#pragma once
// Generated token ids -> text pieces after the prompt. Special tokens are dropped, except the
// markers (thinking, tool calls) the output parsers need to see.
#include <set>
#include <span>
#include <string>
#include <vector>

#include "text/tokenizer.h"

namespace slm::serve {

class TokenTextStream {
 public:
  TokenTextStream(const Tokenizer& tok, std::span<const int32_t> prompt, const std::vector<std::string>& kept_specials)
      : tok_(tok), decoder_(tok, false), kept_(kept_specials.begin(), kept_specials.end()) {
    decoder_.prime(prompt);
  }
  std::string push(int32_t id) {
    if (tok_.is_special(id) && !kept_.count(tok_.token_piece(id))) return "";
    return decoder_.push(id);
  }
  std::string flush() { return decoder_.flush(); }
  // The text of one token on its own (for logprobs).
  std::string token_text(int32_t id) const {
    const int32_t one[1] = {id};
    return tok_.decode(one, false);
  }

 private:
  const Tokenizer& tok_;
  IncrementalDecoder decoder_;
  std::set<std::string> kept_;
};

}  // namespace slm::serve
