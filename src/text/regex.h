#pragma once
// PCRE2 (UTF + UCP, JIT when available) for the Split pre-tokenizer patterns of tokenizer.json,
// which are written for Oniguruma. The pattern is adjusted where the two engines differ.
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace slm {

class Regex {
 public:
  // Throws slm::Error naming `context` and the pattern when it does not compile.
  Regex(const std::string& pattern, const std::string& context);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // All non-overlapping leftmost matches as (begin, end) byte offsets into `text`.
  void find_all(std::string_view text, std::vector<std::pair<size_t, size_t>>& out) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Oniguruma's \s is Unicode White_Space (includes U+0085; PCRE2's UCP \s lacks it) and its \w
// includes marks and connector punctuation (PCRE2 10.42's does not): both are spelled out.
std::string oniguruma_to_pcre2(const std::string& pattern);

}  // namespace slm
