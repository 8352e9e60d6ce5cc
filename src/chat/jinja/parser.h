#pragma once
// Builds the statement tree from lexer tokens (Jinja2 grammar and operator precedence).
#include <string>
#include <vector>

#include "chat/jinja/ast.h"
#include "chat/jinja/lexer.h"

namespace slm::jinja {

// Throws slm::Error ("template line N: ...") on syntax errors.
NodeList parse(const std::vector<Token>& tokens);

}  // namespace slm::jinja
