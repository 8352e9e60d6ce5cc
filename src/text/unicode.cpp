#include "text/unicode.h"

#include <algorithm>
#include <tuple>
#include <vector>

#include "text/unicode_tables.h"

namespace slm::unicode {

namespace ut = unicode_tables;

char32_t decode_utf8(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    ++i;
    return c;
  }
  size_t n = utf8_len(c);
  if (n == 1 || i + n > s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (size_t k = 1; k < n; ++k) {
    unsigned char d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (d & 0x3F);
  }
  i += n;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Length of the valid sequence at s[i], or 0 with `bad` = length of the maximal invalid subpart.
static size_t valid_seq(std::string_view s, size_t i, size_t& bad) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    bad = 1;
    return 0;
  }
  for (size_t k = 1; k < n; ++k) {
    if (i + k >= s.size()) {
      bad = k;
      return 0;
    }
    unsigned char d = b(i + k);
    unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
    if (d < l || d > h) {
      bad = k;
      return 0;
    }
  }
  return n;
}

std::string utf8_lossy(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t bad = 0;
    size_t n = valid_seq(s, i, bad);
    if (n) {
      out.append(s.data() + i, n);
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      i += bad;
    }
  }
  return out;
}

bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t bad = 0;
    size_t n = valid_seq(s, i, bad);
    if (!n) return false;
    i += n;
  }
  return true;
}

size_t complete_utf8_prefix(std::string_view s) {
  // Look back at most 3 bytes for a lead byte whose sequence runs past the end.
  size_t n = s.size();
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    unsigned char c = static_cast<unsigned char>(s[n - back]);
    if ((c & 0xC0) == 0x80) continue;
    if (c >= 0xC0 && utf8_len(c) > back) return n - back;
    break;
  }
  return n;
}

// ---- normalization ----

static uint8_t ccc_of(char32_t cp) {
  if (cp < 0x300) return 0;
  const ut::CccEntry* end = ut::kCcc + ut::kCccSize;
  auto it = std::lower_bound(ut::kCcc, end, cp, [](const ut::CccEntry& e, char32_t c) { return e.cp < c; });
  return (it != end && it->cp == cp) ? it->ccc : 0;
}

constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr int kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

static void decompose_cp(char32_t cp, bool compat, std::vector<char32_t>& out) {
  if (cp >= kSBase && cp < kSBase + kSCount) {
    int s = cp - kSBase;
    out.push_back(kLBase + s / kNCount);
    out.push_back(kVBase + (s % kNCount) / kTCount);
    if (s % kTCount) out.push_back(kTBase + s % kTCount);
    return;
  }
  if (cp >= 0xA0) {
    const ut::DecompEntry* tab = compat ? ut::kCompat : ut::kCanonical;
    const char32_t* pool = compat ? ut::kCompatPool : ut::kCanonicalPool;
    const ut::DecompEntry* end = tab + (compat ? ut::kCompatSize : ut::kCanonicalSize);
    auto it = std::lower_bound(tab, end, cp, [](const ut::DecompEntry& e, char32_t c) { return e.cp < c; });
    if (it != end && it->cp == cp) {
      // Compatibility expansions may contain Hangul syllables (e.g. parenthesized Hangul).
      for (uint32_t k = 0; k < it->length; ++k) {
        char32_t d = pool[it->offset + k];
        if (d >= kSBase && d < kSBase + kSCount) decompose_cp(d, compat, out);
        else out.push_back(d);
      }
      return;
    }
  }
  out.push_back(cp);
}

static char32_t compose_pair(char32_t a, char32_t b) {
  if (a >= kLBase && a < kLBase + kLCount && b >= kVBase && b < kVBase + kVCount)
    return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
  if (a >= kSBase && a < kSBase + kSCount && (a - kSBase) % kTCount == 0 && b > kTBase && b < kTBase + kTCount)
    return a + (b - kTBase);
  uint64_t key = (static_cast<uint64_t>(a) << 21) | b;
  const ut::ComposeEntry* end = ut::kCompose + ut::kComposeSize;
  auto it = std::lower_bound(ut::kCompose, end, key, [](const ut::ComposeEntry& e, uint64_t k) { return e.pair < k; });
  return (it != end && it->pair == key) ? it->composite : 0;
}

static bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

static std::string normalize(std::string_view s, bool compat, bool compose) {
  if (is_ascii(s)) return std::string(s);
  std::vector<char32_t> cps;
  cps.reserve(s.size());
  for (size_t i = 0; i < s.size();) decompose_cp(decode_utf8(s, i), compat, cps);
  // Canonical ordering: stable-sort each run of non-starters by combining class.
  std::vector<uint8_t> cls(cps.size());
  for (size_t i = 0; i < cps.size(); ++i) cls[i] = ccc_of(cps[i]);
  for (size_t i = 0; i < cps.size();) {
    if (!cls[i]) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < cps.size() && cls[j]) ++j;
    if (j - i > 1) {
      std::vector<std::pair<uint8_t, char32_t>> run;
      for (size_t k = i; k < j; ++k) run.emplace_back(cls[k], cps[k]);
      std::stable_sort(run.begin(), run.end(), [](auto& a, auto& b) { return a.first < b.first; });
      for (size_t k = i; k < j; ++k) std::tie(cls[k], cps[k]) = run[k - i];
    }
    i = j;
  }
  if (compose && !cps.empty()) {
    // Canonical composition: a character joins the last starter unless a character of equal or
    // higher combining class sits between them. A leading non-starter blocks until a starter.
    int last_cls = cls[0] ? 256 : 0;
    size_t starter = 0, out = 1;
    for (size_t i = 1; i < cps.size(); ++i) {
      int c = cls[i];
      char32_t comp = compose_pair(cps[starter], cps[i]);
      if (comp && (last_cls < c || last_cls == 0)) {
        cps[starter] = comp;
        continue;
      }
      if (c == 0) starter = out;
      last_cls = c;
      cps[out++] = cps[i];
    }
    cps.resize(out);
  }
  std::string r;
  r.reserve(s.size());
  for (char32_t cp : cps) append_utf8(r, cp);
  return r;
}

std::string nfc(std::string_view s) { return normalize(s, false, true); }
std::string nfkc(std::string_view s) { return normalize(s, true, true); }
std::string nfd(std::string_view s) { return normalize(s, false, false); }
std::string nfkd(std::string_view s) { return normalize(s, true, false); }

std::string lowercase(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
      ++i;
      continue;
    }
    char32_t cp = decode_utf8(s, i);
    if (cp == 0x130) {  // the one unconditional multi-character lowercase mapping (SpecialCasing.txt)
      out += "i\xCC\x87";
      continue;
    }
    const ut::CaseEntry* end = ut::kLower + ut::kLowerSize;
    auto it = std::lower_bound(ut::kLower, end, cp, [](const ut::CaseEntry& e, char32_t c) { return e.cp < c; });
    append_utf8(out, (it != end && it->cp == cp) ? it->mapped : cp);
  }
  return out;
}

bool is_white_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool is_numeric(char32_t c) {
  if (c < 128) return c >= '0' && c <= '9';
  const ut::RangeEntry* end = ut::kNumeric + ut::kNumericSize;
  auto it = std::upper_bound(ut::kNumeric, end, c, [](char32_t v, const ut::RangeEntry& r) { return v < r.first; });
  return it != ut::kNumeric && c <= (it - 1)->last;
}

}  // namespace slm::unicode
