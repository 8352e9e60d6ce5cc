#pragma once
// JSON-schema `pattern` (an ECMAScript regular expression over the string's characters) as
// grammar rules over the JSON text of the string, escapes included. Supported: literals,
// escapes (\d \w \s and their negations, escaped punctuation), `.`, classes with ranges and
// negation (ASCII members), groups ( ) and (?: ), `|`, and the quantifiers ? * + {n} {n,} {n,m}.
// An unanchored side matches anything there, as a regex search does. Other syntax
// (backreferences, lookaround, \b, non-ASCII class members) throws slm::Error.
#include <string>

#include "sample/grammar.h"

namespace slm {

struct StringCharRules {
  int any_char;    // one JSON string character: plain, escaped or multi-byte UTF-8
  int multibyte;   // one multi-byte UTF-8 character
};

// A rule matching the whole JSON string (quotes included) whose value matches `pattern`.
int add_pattern_string_rule(Grammar& g, const std::string& pattern, const StringCharRules& chars);

// The regex for a JSON-schema `format` (date, time, date-time, uuid, ipv4), or "" if unknown.
std::string format_pattern(const std::string& format);

}  // namespace slm
