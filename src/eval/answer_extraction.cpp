#include "eval/answer_extraction.h"

#include <cctype>
#include <cstring>

#include "eval/python_regex.h"

namespace slm::eval {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
}  // namespace

std::string strip(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

std::string regex_extract(std::string_view text, const std::string& pattern, int group_select) {
  const auto matches = PyRegex(pattern).findall(text);
  if (matches.empty()) return kInvalidAnswer;
  const long n = static_cast<long>(matches.size());
  long index = group_select < 0 ? n + group_select : group_select;
  if (index < 0 || index >= n) return kInvalidAnswer;
  const auto& groups = matches[static_cast<size_t>(index)];
  std::string chosen = groups.front();
  if (groups.size() > 1)
    for (const auto& g : groups)
      if (!g.empty()) {
        chosen = g;
        break;
      }
  return strip(chosen);
}

std::string remove_leading_space(std::string_view text) {
  return std::string(text.starts_with(' ') ? text.substr(1) : text);
}

std::string normalise_for_match(std::string_view text, const ExactMatchRules& rules) {
  std::string s(text);
  for (const auto& r : rules.regexes_to_ignore) s = PyRegex(r).sub(s, "");
  if (rules.ignore_case)
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (rules.ignore_punctuation) {
    static const char* kPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    std::string kept;
    for (char c : s)
      if (c == '\0' || !std::strchr(kPunctuation, c)) kept += c;
    s = std::move(kept);
  }
  return s;
}

bool exact_match(std::string_view prediction, std::string_view reference, const ExactMatchRules& rules) {
  return normalise_for_match(prediction, rules) == normalise_for_match(reference, rules);
}

}  // namespace slm::eval
