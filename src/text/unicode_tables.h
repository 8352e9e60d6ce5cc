#pragma once
// Unicode Character Database tables used by the normalizers (generated, see tools/gen_unicode_tables.py).
#include <cstddef>
#include <cstdint>

namespace slm::unicode_tables {

struct CccEntry {
  char32_t cp;
  uint8_t ccc;
};
struct DecompEntry {
  char32_t cp;
  uint32_t offset;  // into the matching pool
  uint32_t length;
};
struct ComposeEntry {
  uint64_t pair;  // (first << 21) | second
  char32_t composite;
};
struct CaseEntry {
  char32_t cp;
  char32_t mapped;
};

struct RangeEntry {
  char32_t first, last;  // inclusive
};

extern const CccEntry kCcc[];
extern const size_t kCccSize;
extern const char32_t kCanonicalPool[];
extern const DecompEntry kCanonical[];
extern const size_t kCanonicalSize;
extern const char32_t kCompatPool[];
extern const DecompEntry kCompat[];
extern const size_t kCompatSize;
extern const ComposeEntry kCompose[];
extern const size_t kComposeSize;
extern const CaseEntry kLower[];
extern const size_t kLowerSize;
extern const RangeEntry kNumeric[];  // General_Category Nd, Nl, No
extern const size_t kNumericSize;

}  // namespace slm::unicode_tables
