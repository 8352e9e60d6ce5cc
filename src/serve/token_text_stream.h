#pragma once
// Generated token ids -> text pieces after the prompt. Special tokens are dropped, except the
// markers (thinking, tool calls) the output parsers need to see.
#include <set>
#include <span>
#include <string>
#include <vector>

#include "sample/token_bytes.h"
#include "text/tokenizer.h"

namespace slm::serve {

class TokenTextStream {
 public:
  // `bytes` (may be null) gives logprob entries each token's raw bytes.
  TokenTextStream(const Tokenizer& tok, std::span<const int32_t> prompt, const std::vector<std::string>& kept_specials,
                  const TokenBytes* bytes = nullptr)
      : tok_(tok), decoder_(tok, false), kept_(kept_specials.begin(), kept_specials.end()), bytes_(bytes) {
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
  // Its bytes: a partial UTF-8 sequence stays raw here while token_text() shows U+FFFD.
  std::string token_bytes(int32_t id) const {
    if (bytes_ && id >= 0 && static_cast<size_t>(id) < bytes_->size() && !bytes_->bytes(id).empty()) return bytes_->bytes(id);
    return token_text(id);
  }

 private:
  const Tokenizer& tok_;
  IncrementalDecoder decoder_;
  std::set<std::string> kept_;
  const TokenBytes* bytes_;
};

}  // namespace slm::serve
