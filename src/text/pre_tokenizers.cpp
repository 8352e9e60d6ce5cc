#include "text/pre_tokenizers.h"

#include <algorithm>

#include "text/byte_level.h"
#include "text/json_util.h"
#include "text/regex.h"
#include "text/unicode.h"

namespace slm {

namespace {

using Span = std::pair<size_t, size_t>;

// Hugging Face's SplitDelimiterBehavior applied to the matches of one piece.
// `spans` covers the text in order, each flagged as match or gap.
void apply_behavior(const PreToken& piece, const std::vector<std::pair<Span, bool>>& spans, SplitBehavior behavior,
                    std::vector<PreToken>& out) {
  std::vector<Span> parts;
  bool prev_match = false;
  switch (behavior) {
    case SplitBehavior::Removed:
      for (const auto& [s, m] : spans)
        if (!m) parts.push_back(s);
      break;
    case SplitBehavior::Isolated:
      for (const auto& [s, m] : spans) parts.push_back(s);
      break;
    case SplitBehavior::MergedWithPrevious:
      for (const auto& [s, m] : spans) {
        if (m && !prev_match && !parts.empty()) parts.back().second = s.second;
        else parts.push_back(s);
        prev_match = m;
      }
      break;
    case SplitBehavior::MergedWithNext: {
      for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
        const auto& [s, m] = *it;
        if (m && !prev_match && !parts.empty()) parts.back().first = s.first;
        else parts.push_back(s);
        prev_match = m;
      }
      std::reverse(parts.begin(), parts.end());
      break;
    }
    case SplitBehavior::Contiguous:
      for (size_t i = 0; i < spans.size(); ++i) {
        const auto& [s, m] = spans[i];
        if (i > 0 && m == prev_match) parts.back().second = s.second;
        else parts.push_back(s);
        prev_match = m;
      }
      break;
  }
  for (auto [b, e] : parts) {
    if (e <= b) continue;
    out.push_back(PreToken{piece.text.substr(b, e - b), piece.at_start && b == 0});
  }
}

// Converts match ranges into an ordered cover of the text.
void to_spans(size_t size, const std::vector<Span>& matches, bool invert, std::vector<std::pair<Span, bool>>& spans) {
  spans.clear();
  size_t pos = 0;
  for (auto [b, e] : matches) {
    if (b > pos) spans.push_back({{pos, b}, invert});
    spans.push_back({{b, e}, !invert});
    pos = e;
  }
  if (pos < size) spans.push_back({{pos, size}, invert});
}

class Split : public PreTokenizer {
 public:
  Split(std::unique_ptr<Regex> re, std::string literal, SplitBehavior b, bool invert)
      : re_(std::move(re)), literal_(std::move(literal)), behavior_(b), invert_(invert) {}

  void pre_tokenize(std::vector<PreToken>& pieces) const override {
    std::vector<PreToken> out;
    out.reserve(pieces.size() * 4);
    std::vector<Span> matches;
    std::vector<std::pair<Span, bool>> spans;
    for (const auto& p : pieces) {
      find(p.text, matches);
      to_spans(p.text.size(), matches, invert_, spans);
      apply_behavior(p, spans, behavior_, out);
    }
    pieces = std::move(out);
  }

 private:
  void find(const std::string& text, std::vector<Span>& m) const {
    if (re_) {
      re_->find_all(text, m);
      return;
    }
    m.clear();
    if (literal_.empty()) return;
    for (size_t pos = 0, hit; (hit = text.find(literal_, pos)) != std::string::npos; pos = hit + literal_.size())
      m.emplace_back(hit, hit + literal_.size());
  }

  std::unique_ptr<Regex> re_;
  std::string literal_;
  SplitBehavior behavior_;
  bool invert_;
};

// Splits on characters chosen by a predicate (Digits, WhitespaceSplit).
template <typename Pred>
class CharSplit : public PreTokenizer {
 public:
  CharSplit(Pred pred, SplitBehavior b) : pred_(pred), behavior_(b) {}
  void pre_tokenize(std::vector<PreToken>& pieces) const override {
    std::vector<PreToken> out;
    std::vector<Span> matches;
    std::vector<std::pair<Span, bool>> spans;
    for (const auto& p : pieces) {
      matches.clear();
      for (size_t i = 0; i < p.text.size();) {
        size_t b = i;
        char32_t cp = unicode::decode_utf8(p.text, i);
        if (pred_(cp)) matches.emplace_back(b, i);
      }
      to_spans(p.text.size(), matches, false, spans);
      apply_behavior(p, spans, behavior_, out);
    }
    pieces = std::move(out);
  }

 private:
  Pred pred_;
  SplitBehavior behavior_;
};
template <typename Pred>
std::unique_ptr<PreTokenizer> char_split(Pred p, SplitBehavior b) {
  return std::make_unique<CharSplit<Pred>>(p, b);
}

const char* kGpt2Regex = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

class ByteLevel : public PreTokenizer {
 public:
  ByteLevel(bool add_prefix_space, bool use_regex) : add_prefix_space_(add_prefix_space) {
    if (use_regex) re_ = std::make_unique<Regex>(kGpt2Regex, "ByteLevel pre-tokenizer");
  }
  void pre_tokenize(std::vector<PreToken>& pieces) const override {
    if (add_prefix_space_)
      for (auto& p : pieces)
        if (p.text.empty() || p.text[0] != ' ') p.text.insert(0, " ");
    if (re_) {
      std::vector<PreToken> out;
      std::vector<Span> matches;
      std::vector<std::pair<Span, bool>> spans;
      for (const auto& p : pieces) {
        re_->find_all(p.text, matches);
        to_spans(p.text.size(), matches, false, spans);
        apply_behavior(p, spans, SplitBehavior::Isolated, out);
      }
      pieces = std::move(out);
    }
    for (auto& p : pieces) p.text = byte_level::encode(p.text);
  }

 private:
  bool add_prefix_space_;
  std::unique_ptr<Regex> re_;
};

enum class PrependScheme { First, Always, Never };

class Metaspace : public PreTokenizer {
 public:
  Metaspace(std::string replacement, PrependScheme scheme, bool split)
      : rep_(std::move(replacement)), scheme_(scheme), split_(split) {}
  void pre_tokenize(std::vector<PreToken>& pieces) const override {
    std::vector<PreToken> out;
    for (auto& p : pieces) {
      std::string t;
      for (char c : p.text) {
        if (c == ' ') t += rep_;
        else t += c;
      }
      bool starts = t.compare(0, rep_.size(), rep_) == 0;
      if (!starts && (scheme_ == PrependScheme::Always || (scheme_ == PrependScheme::First && p.at_start)))
        t.insert(0, rep_);
      if (!split_) {
        out.push_back(PreToken{std::move(t), p.at_start});
        continue;
      }
      // Split before every replacement character (MergedWithNext).
      size_t start = 0;
      for (size_t pos = 0; (pos = t.find(rep_, pos)) != std::string::npos; pos += rep_.size()) {
        if (pos > start) out.push_back(PreToken{t.substr(start, pos - start), p.at_start && start == 0});
        start = pos;
      }
      if (start < t.size()) out.push_back(PreToken{t.substr(start), p.at_start && start == 0});
    }
    pieces = std::move(out);
  }

 private:
  std::string rep_;
  PrependScheme scheme_;
  bool split_;
};

class Sequence : public PreTokenizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<PreTokenizer>> parts) : parts_(std::move(parts)) {}
  void pre_tokenize(std::vector<PreToken>& pieces) const override {
    for (const auto& p : parts_) p->pre_tokenize(pieces);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> parts_;
};

SplitBehavior parse_behavior(const std::string& s, const std::string& ctx) {
  if (s == "Removed") return SplitBehavior::Removed;
  if (s == "Isolated") return SplitBehavior::Isolated;
  if (s == "MergedWithPrevious") return SplitBehavior::MergedWithPrevious;
  if (s == "MergedWithNext") return SplitBehavior::MergedWithNext;
  if (s == "Contiguous") return SplitBehavior::Contiguous;
  throw Error(ctx + ": unknown split behavior \"" + s + "\"");
}

}  // namespace

std::unique_ptr<PreTokenizer> make_regex_split(const std::string& regex, SplitBehavior behavior, bool invert,
                                               const std::string& context) {
  return std::make_unique<Split>(std::make_unique<Regex>(regex, context), "", behavior, invert);
}
std::unique_ptr<PreTokenizer> make_byte_level_pre_tokenizer(bool add_prefix_space, bool use_regex) {
  return std::make_unique<ByteLevel>(add_prefix_space, use_regex);
}
std::unique_ptr<PreTokenizer> make_sequence_pre_tokenizer(std::vector<std::unique_ptr<PreTokenizer>> parts) {
  return std::make_unique<Sequence>(std::move(parts));
}

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const nlohmann::json& j, const std::string& context) {
  namespace ju = json_util;
  std::string type = ju::type_of(j, context);
  std::string ctx = context + " (" + type + ")";
  if (type == "Sequence") {
    const auto& list = ju::field(j, "pretokenizers", ctx);
    if (!list.is_array()) throw Error(ctx + ": \"pretokenizers\" must be an array");
    std::vector<std::unique_ptr<PreTokenizer>> parts;
    for (size_t i = 0; i < list.size(); ++i)
      parts.push_back(make_pre_tokenizer(list[i], context + ".pretokenizers[" + std::to_string(i) + "]"));
    return std::make_unique<Sequence>(std::move(parts));
  }
  if (type == "Split") {
    auto p = ju::pattern(j, ctx);
    auto behavior = parse_behavior(ju::str(j, "behavior", ctx), ctx);
    bool invert = ju::get_or(j, "invert", false);
    if (p.is_regex) return std::make_unique<Split>(std::make_unique<Regex>(p.text, ctx), "", behavior, invert);
    return std::make_unique<Split>(nullptr, p.text, behavior, invert);
  }
  if (type == "ByteLevel")
    return std::make_unique<ByteLevel>(ju::get_or(j, "add_prefix_space", true), ju::get_or(j, "use_regex", true));
  if (type == "Metaspace") {
    std::string rep = ju::get_or<std::string>(j, "replacement", "\xE2\x96\x81");
    PrependScheme scheme = ju::get_or(j, "add_prefix_space", true) ? PrependScheme::Always : PrependScheme::Never;
    if (j.contains("prepend_scheme")) {
      std::string s = ju::str(j, "prepend_scheme", ctx);
      if (s == "first") scheme = PrependScheme::First;
      else if (s == "always") scheme = PrependScheme::Always;
      else if (s == "never") scheme = PrependScheme::Never;
      else throw Error(ctx + ": unknown prepend_scheme \"" + s + "\"");
    }
    return std::make_unique<Metaspace>(rep, scheme, ju::get_or(j, "split", true));
  }
  if (type == "Digits") {
    bool individual = ju::get_or(j, "individual_digits", false);
    return char_split(&unicode::is_numeric, individual ? SplitBehavior::Isolated : SplitBehavior::Contiguous);
  }
  if (type == "WhitespaceSplit") return char_split(&unicode::is_white_space, SplitBehavior::Removed);
  if (type == "Whitespace") {
    // Rust regex `\w+|[^\w\s]+`, with Rust's Unicode \w spelled out for PCRE2.
    const std::string w = "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}";
    return std::make_unique<Split>(std::make_unique<Regex>("[" + w + "]+|[^" + w + "\\s]+", ctx), "",
                                   SplitBehavior::Removed, true);
  }
  throw Error(context + ": unsupported pre_tokenizer type \"" + type + "\"");
}

}  // namespace slm
