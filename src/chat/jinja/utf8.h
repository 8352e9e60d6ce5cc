#pragma once
// UTF-8 helpers: template strings are UTF-8 bytes, but Python indexes, slices and
// measures strings in code points.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace slm::jinja::utf8 {

// Code points of `s`; invalid bytes decode as themselves (U+0080..U+00FF) so nothing is lost.
std::vector<char32_t> decode(std::string_view s);
std::string encode(const std::vector<char32_t>& cps);
void append(std::string& out, char32_t cp);
size_t length(std::string_view s);

}  // namespace slm::jinja::utf8
