#pragma once
// GPT-2's reversible byte <-> printable character mapping used by byte-level BPE.
#include <string>
#include <string_view>

namespace slm::byte_level {

// UTF-8 spelling of the character that stands for byte b.
const std::string& byte_char(unsigned char b);
// Maps every byte of `raw` to its character.
std::string encode(std::string_view raw);
void encode_append(std::string_view raw, std::string& out);
// Inverse mapping of one code point; -1 when the character is not in the table.
int char_byte(char32_t cp);

}  // namespace slm::byte_level
