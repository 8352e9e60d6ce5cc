#include "eval/python_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "slm/error.h"

namespace slm::eval {

struct PyRegex::Impl {
  pcre2_code* code = nullptr;
  uint32_t groups = 0;
};

PyRegex::PyRegex(const std::string& pattern) : impl_(std::make_unique<Impl>()) {
  int err = 0;
  PCRE2_SIZE offset = 0;
  impl_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF | PCRE2_UCP,
                              &err, &offset, nullptr);
  if (!impl_->code) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    throw Error("regex '" + pattern + "' at " + std::to_string(offset) + ": " + reinterpret_cast<char*>(msg));
  }
  pcre2_pattern_info(impl_->code, PCRE2_INFO_CAPTURECOUNT, &impl_->groups);
}

PyRegex::~PyRegex() {
  if (impl_ && impl_->code) pcre2_code_free(impl_->code);
}

namespace {

// Visits every non-overlapping match as (ovector, pair count); an empty match moves on by one
// character, as Python does.
template <typename Fn>
void each_match(pcre2_code* code, std::string_view text, Fn&& fn) {
  pcre2_match_data* md = pcre2_match_data_create_from_pattern(code, nullptr);
  size_t start = 0;
  while (start <= text.size()) {
    int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), start, 0, md, nullptr);
    if (rc < 0) break;
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    fn(ov, rc);
    if (ov[1] > ov[0]) {
      start = ov[1];
    } else {
      start = ov[1] + 1;
      while (start < text.size() && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) ++start;
    }
  }
  pcre2_match_data_free(md);
}

}  // namespace

std::vector<std::vector<std::string>> PyRegex::findall(std::string_view raw) const {
  const std::string text = valid_utf8(raw);
  std::vector<std::vector<std::string>> out;
  each_match(impl_->code, text, [&](PCRE2_SIZE* ov, int pairs) {
    std::vector<std::string> m;
    if (impl_->groups == 0) {
      m.emplace_back(text.substr(ov[0], ov[1] - ov[0]));
    } else {
      for (uint32_t g = 1; g <= impl_->groups; ++g) {
        const bool set = static_cast<int>(g) < pairs && ov[2 * g] != PCRE2_UNSET;
        m.emplace_back(set ? text.substr(ov[2 * g], ov[2 * g + 1] - ov[2 * g]) : std::string());
      }
    }
    out.push_back(std::move(m));
  });
  return out;
}

std::string PyRegex::sub(std::string_view raw, std::string_view replacement) const {
  const std::string text = valid_utf8(raw);
  std::string out;
  size_t copied = 0;
  each_match(impl_->code, text, [&](PCRE2_SIZE* ov, int) {
    out.append(text, copied, ov[0] - copied);
    out.append(replacement);
    copied = ov[1];
  });
  out.append(text, copied, std::string::npos);
  return out;
}

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = s[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && len == 2 && c < 0xC2) ok = false;  // overlong
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

}  // namespace slm::eval
