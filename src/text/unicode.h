#pragma once
// UTF-8 helpers and Unicode normalization (NFC, NFKC), lowercase and White_Space.
#include <cstdint>
#include <string>
#include <string_view>

namespace slm::unicode {

// Length of the UTF-8 sequence that starts with lead byte `c` (1 for invalid leads).
inline size_t utf8_len(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) return 2;
  if ((c & 0xF0) == 0xE0) return 3;
  if ((c & 0xF8) == 0xF0) return 4;
  return 1;
}

// Decodes one code point at s[i] and advances i; invalid bytes decode as U+FFFD (one byte).
char32_t decode_utf8(std::string_view s, size_t& i);
void append_utf8(std::string& out, char32_t cp);

// Valid UTF-8 with maximal invalid subparts replaced by U+FFFD (WHATWG / Rust from_utf8_lossy).
std::string utf8_lossy(std::string_view bytes);
bool is_valid_utf8(std::string_view bytes);
// Byte length of the longest prefix of `s` that does not end inside an incomplete sequence.
size_t complete_utf8_prefix(std::string_view s);

std::string nfc(std::string_view s);
std::string nfkc(std::string_view s);
std::string nfd(std::string_view s);
std::string nfkd(std::string_view s);
std::string lowercase(std::string_view s);

bool is_white_space(char32_t cp);  // the Unicode White_Space property
bool is_numeric(char32_t cp);      // General_Category N (Nd, Nl, No), like Rust's char::is_numeric

}  // namespace slm::unicode
