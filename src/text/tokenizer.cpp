#include "text/tokenizer.h"

#include "slm/error.h"

namespace slm {

std::vector<int32_t> Tokenizer::encode_ignoring_specials(std::string_view, bool) const {
  throw Error("this tokenizer cannot encode with special tokens disabled");
}

}  // namespace slm
