#pragma once
// Regular expressions with the semantics the harness scoring rules rely on (Python `re` on str:
// Unicode classes, findall over non-overlapping matches, sub), on PCRE2.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace slm::eval {

class PyRegex {
 public:
  // Throws slm::Error naming the pattern when it does not compile.
  explicit PyRegex(const std::string& pattern);
  ~PyRegex();
  PyRegex(const PyRegex&) = delete;
  PyRegex& operator=(const PyRegex&) = delete;

  // Like re.findall: one entry per match; each entry holds the capture groups ("" for a group
  // that did not take part), or the whole match when the pattern has no groups.
  std::vector<std::vector<std::string>> findall(std::string_view text) const;
  // Like re.sub(pattern, replacement, text) with a literal replacement.
  std::string sub(std::string_view text, std::string_view replacement) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Invalid UTF-8 bytes replaced by U+FFFD, so model output is always matchable.
std::string valid_utf8(std::string_view text);

}  // namespace slm::eval
