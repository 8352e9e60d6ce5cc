#include "text/byte_level.h"

#include <array>

#include "text/unicode.h"

namespace slm::byte_level {

namespace {
struct Tables {
  std::array<std::string, 256> byte_to_str;
  std::array<int, 512> cp_to_byte;
  Tables() {
    cp_to_byte.fill(-1);
    int extra = 0;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
      char32_t cp = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + extra++);
      unicode::append_utf8(byte_to_str[b], cp);
      cp_to_byte[cp] = b;
    }
  }
};
const Tables& tables() {
  static const Tables t;
  return t;
}
}  // namespace

const std::string& byte_char(unsigned char b) { return tables().byte_to_str[b]; }

void encode_append(std::string_view raw, std::string& out) {
  const auto& t = tables();
  for (char c : raw) out += t.byte_to_str[static_cast<unsigned char>(c)];
}

std::string encode(std::string_view raw) {
  std::string out;
  out.reserve(raw.size() + raw.size() / 4);
  encode_append(raw, out);
  return out;
}

int char_byte(char32_t cp) { return cp < 512 ? tables().cp_to_byte[cp] : -1; }

}  // namespace slm::byte_level
