#include "text/tokenizer.h"

namespace slm {

namespace {
constexpr char kReplacement[] = "\xEF\xBF\xBD";

// Text may still change while it ends in U+FFFD: the replacement may stand for an incomplete
// UTF-8 sequence that later ids complete. Hold such a tail back.
size_t stable_length(const std::string& text) {
  size_t n = text.size();
  while (n >= 3 && text.compare(n - 3, 3, kReplacement) == 0) n -= 3;
  return n;
}
}  // namespace

IncrementalDecoder::IncrementalDecoder(const Tokenizer& tok, bool skip_special) : tok_(tok), skip_special_(skip_special) {}

std::string IncrementalDecoder::push(int32_t id) {
  ids_.push_back(id);
  std::string text = tok_.decode(ids_, skip_special_);
  size_t stable = stable_length(text);
  if (stable <= emitted_ || text.compare(0, emitted_, text, 0, emitted_) != 0) return {};
  std::string out = text.substr(emitted_, stable - emitted_);
  emitted_ = stable;
  return out;
}

std::string IncrementalDecoder::flush() {
  std::string text = tok_.decode(ids_, skip_special_);
  std::string out = text.size() > emitted_ ? text.substr(emitted_) : std::string();
  emitted_ = text.size();
  return out;
}

}  // namespace slm
