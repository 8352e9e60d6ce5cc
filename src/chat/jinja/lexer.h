#pragma once
// Splits template source into text and tag tokens, applying Jinja2's whitespace rules
// (trim_blocks, lstrip_blocks, `-`/`+` markers) so the parser sees final text.
#include <string>
#include <vector>

namespace slm::jinja {

struct Token {
  enum class Type { Text, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, Int, Float, String, Op, Eof };
  Type type;
  std::string value;  // text, name, operator, decoded string literal or number spelling
  int line;
};

struct LexerOptions {
  bool trim_blocks = true;
  bool lstrip_blocks = true;
  bool keep_trailing_newline = false;
};

// Throws slm::Error ("template line N: ...") on malformed tags or literals.
std::vector<Token> tokenize(const std::string& source, const LexerOptions& options = {});

}  // namespace slm::jinja
