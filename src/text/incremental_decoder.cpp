#include "text/tokenizer.h"

#include <algorithm>

namespace slm {

namespace {
constexpr char kReplacement[] = "\xEF\xBF\xBD";

bool ends_with_replacement(const std::string& s) { return s.size() >= 3 && s.compare(s.size() - 3, 3, kReplacement) == 0; }
}  // namespace

IncrementalDecoder::IncrementalDecoder(const Tokenizer& tok, bool skip_special) : tok_(tok), skip_special_(skip_special) {}

// The window is decoded with the ids emitted last as context, so decoders that treat the start
// of the text specially (a stripped leading space) or join bytes across tokens see the same
// neighbourhood as a full decode; the new text is what follows the context's own decoding.
std::string IncrementalDecoder::push(int32_t id) {
  ids_.push_back(id);
  std::string text = tok_.decode(ids_, skip_special_);
  // A trailing U+FFFD may be an incomplete UTF-8 sequence that later ids complete: wait.
  if (text.size() <= emitted_ || ends_with_replacement(text) || text.compare(0, emitted_, prefix_text_) != 0) return {};
  std::string out = text.substr(emitted_);
  // The pending ids become the context of the next window.
  ids_.erase(ids_.begin(), ids_.begin() + static_cast<std::ptrdiff_t>(context_ids_));
  context_ids_ = ids_.size();
  prefix_text_ = tok_.decode(ids_, skip_special_);
  emitted_ = prefix_text_.size();
  return out;
}

void IncrementalDecoder::prime(std::span<const int32_t> context) {
  // A few trailing ids are enough context, as long as they do not begin inside a UTF-8 sequence
  // spelled in byte tokens (a byte-fallback group that is invalid as a whole decodes to U+FFFD).
  size_t n = std::min<size_t>(context.size(), 4);
  while (n < context.size() && n < 64 &&
         tok_.decode(context.last(n), skip_special_).find(kReplacement) != std::string::npos)
    ++n;
  ids_.assign(context.end() - static_cast<std::ptrdiff_t>(n), context.end());
  context_ids_ = ids_.size();
  prefix_text_ = tok_.decode(ids_, skip_special_);
  emitted_ = prefix_text_.size();
}

std::string decode_continuation(const Tokenizer& tok, std::span<const int32_t> context,
                                std::span<const int32_t> generated, bool skip_special) {
  IncrementalDecoder d(tok, skip_special);
  d.prime(context);
  std::string out;
  for (int32_t id : generated) out += d.push(id);
  return out + d.flush();
}

std::string IncrementalDecoder::flush() {
  std::string text = tok_.decode(ids_, skip_special_);
  std::string out = text.size() > emitted_ ? text.substr(emitted_) : std::string();
  ids_.clear();
  context_ids_ = 0;
  emitted_ = 0;
  prefix_text_.clear();
  return out;
}

}  // namespace slm
