#pragma once
// Python's str case and whitespace rules for the scripts chat text commonly uses
// (ASCII, Latin-1, Greek, Cyrillic); other code points are left unchanged.
#include <string>

namespace slm::jinja {

char32_t to_upper(char32_t c);
char32_t to_lower(char32_t c);
bool is_cased_letter(char32_t c);
bool is_python_space(char32_t c);

std::string upper(const std::string& s);
std::string lower(const std::string& s);
std::string title(const std::string& s);
std::string capitalize(const std::string& s);

}  // namespace slm::jinja
