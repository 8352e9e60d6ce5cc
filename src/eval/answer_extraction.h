#pragma once
// The harness's answer filters and its exact_match comparison (rules in the eval fixtures'
// README): what a model's free-text output is reduced to before it is compared with the gold.
#include <string>
#include <string_view>
#include <vector>

namespace slm::eval {

inline constexpr const char* kInvalidAnswer = "[invalid]";

// re.findall(pattern, text); the match at group_select (0 first, -1 last); of a multi-group
// match the first non-empty group; stripped. "[invalid]" when nothing matches.
std::string regex_extract(std::string_view text, const std::string& pattern, int group_select);

// The harness's remove_whitespace filter: drops one leading space, nothing else.
std::string remove_leading_space(std::string_view text);

struct ExactMatchRules {
  std::vector<std::string> regexes_to_ignore;  // deleted from both sides, in order
  bool ignore_case = false;
  bool ignore_punctuation = false;  // every char of Python's string.punctuation
};

// The normalised form both sides are compared in.
std::string normalise_for_match(std::string_view text, const ExactMatchRules& rules);
bool exact_match(std::string_view prediction, std::string_view reference, const ExactMatchRules& rules);

// Python str.strip() for ASCII whitespace.
std::string strip(std::string_view text);

}  // namespace slm::eval
