#include "text/added_tokens.h"

#include "text/regex.h"
#include "text/unicode.h"

namespace slm {

void AddedTokenMatcher::add(const std::string& content, size_t index) {
  if (content.empty()) return;
  int32_t node = 0;
  for (char ch : content) {
    unsigned char c = static_cast<unsigned char>(ch);
    int32_t next = child(node, c);
    if (next < 0) {
      next = static_cast<int32_t>(nodes_.size());
      nodes_.push_back(Node{});
      edges_.emplace((static_cast<uint64_t>(node) << 8) | c, next);
    }
    node = next;
  }
  if (nodes_[node].token < 0) nodes_[node].token = static_cast<int32_t>(index);  // first definition wins
  first_byte_[static_cast<unsigned char>(content[0])] = true;
}

namespace {

// Word characters for single_word: what Rust's regex \w matches (Alphabetic, marks, decimal
// digits, connector punctuation, joiners).
bool is_word_char(char32_t c) {
  if (c < 128) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  static const Regex word("^[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]", "single_word");
  std::string ch;
  unicode::append_utf8(ch, c);
  std::vector<std::pair<size_t, size_t>> m;
  word.find_all(ch, m);
  return !m.empty();
}

char32_t char_before(std::string_view t, size_t pos) {
  if (pos == 0) return 0;
  size_t s = pos - 1;
  while (s > 0 && (static_cast<unsigned char>(t[s]) & 0xC0) == 0x80) --s;
  return unicode::decode_utf8(t, s);
}

}  // namespace

void AddedTokenMatcher::split(std::string_view text, const std::vector<AddedToken>& tokens,
                              std::vector<Segment>& out) const {
  size_t plain_start = 0;  // start of the pending plain text
  size_t i = 0;
  auto emit_plain = [&](size_t end) {
    if (end > plain_start) out.push_back(Segment{text.substr(plain_start, end - plain_start), -1, plain_start});
  };
  while (i < text.size()) {
    if (!first_byte_[static_cast<unsigned char>(text[i])]) {
      ++i;
      continue;
    }
    // Longest token starting at i.
    int32_t node = 0, best = -1;
    size_t best_end = 0;
    for (size_t k = i; k < text.size(); ++k) {
      node = child(node, static_cast<unsigned char>(text[k]));
      if (node < 0) break;
      if (nodes_[node].token >= 0) {
        best = nodes_[node].token;
        best_end = k + 1;
      }
    }
    if (best < 0) {
      ++i;
      continue;
    }
    const AddedToken& tok = tokens[best];
    if (tok.single_word) {
      size_t e = best_end;
      char32_t before = char_before(text, i);
      char32_t after = e < text.size() ? unicode::decode_utf8(text, e) : 0;
      // A rejected match stays plain text; scanning resumes after it (non-overlapping matches).
      if ((i > 0 && is_word_char(before)) || (best_end < text.size() && is_word_char(after))) {
        i = best_end;
        continue;
      }
    }
    size_t start = i, end = best_end;
    if (tok.lstrip) {
      while (start > plain_start) {
        size_t s = start - 1;
        while (s > plain_start && (static_cast<unsigned char>(text[s]) & 0xC0) == 0x80) --s;
        size_t p = s;
        if (!unicode::is_white_space(unicode::decode_utf8(text, p))) break;
        start = s;
      }
    }
    if (tok.rstrip) {
      while (end < text.size()) {
        size_t p = end;
        if (!unicode::is_white_space(unicode::decode_utf8(text, p))) break;
        end = p;
      }
    }
    emit_plain(start);
    out.push_back(Segment{text.substr(start, end - start), tok.id, start});
    plain_start = i = end;
  }
  emit_plain(text.size());
}

}  // namespace slm
