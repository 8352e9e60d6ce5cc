#include "chat/jinja/text_case.h"

#include "chat/jinja/utf8.h"

namespace slm::jinja {

char32_t to_upper(char32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 32;
  if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) return c - 32;
  if (c >= 0x430 && c <= 0x44F) return c - 32;
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  return c;
}

char32_t to_lower(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

bool is_cased_letter(char32_t c) { return to_upper(c) != c || to_lower(c) != c; }

bool is_python_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

static std::string map_chars(const std::string& s, char32_t (*fn)(char32_t)) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : utf8::decode(s)) utf8::append(out, fn(c));
  return out;
}

std::string upper(const std::string& s) { return map_chars(s, to_upper); }
std::string lower(const std::string& s) { return map_chars(s, to_lower); }

std::string title(const std::string& s) {
  std::string out;
  bool previous_cased = false;
  for (char32_t c : utf8::decode(s)) {
    bool cased = is_cased_letter(c);
    utf8::append(out, cased ? (previous_cased ? to_lower(c) : to_upper(c)) : c);
    previous_cased = cased;
  }
  return out;
}

std::string capitalize(const std::string& s) {
  std::string out;
  bool first = true;
  for (char32_t c : utf8::decode(s)) {
    utf8::append(out, first ? to_upper(c) : to_lower(c));
    first = false;
  }
  return out;
}

}  // namespace slm::jinja
