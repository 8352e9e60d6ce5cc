#pragma once
// GGUF metadata values. Scalars and strings are decoded; an array keeps its elements encoded
// as they lie in the file and decodes them on request: a vocabulary of 150k tokens and as many
// merges would otherwise cost tens of MiB of per-element objects for as long as the file is open.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace slm {

enum class GgufType : uint32_t {
  U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, BOOL = 7,
  STRING = 8, ARRAY = 9, U64 = 10, I64 = 11, F64 = 12,
};

// Encoded size of a fixed-size type; 0 for STRING and ARRAY.
size_t gguf_fixed_size(GgufType type);

struct GgufValue;

// A view of an array's encoded elements (little-endian, GGUF layout). The bytes belong to the
// GgufFile it was read from (valid while that file is open); the reader checked them when it
// opened the file, so decoding never runs past them.
class GgufArray {
 public:
  GgufArray() = default;
  GgufArray(GgufType elem_type, uint64_t count, std::span<const uint8_t> bytes)
      : elem_type_(elem_type), count_(count), bytes_(bytes) {}

  GgufType elem_type() const { return elem_type_; }
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  // The encoded elements, exactly as a GGUF file stores them after the type and count.
  std::span<const uint8_t> bytes() const { return bytes_; }

  // Every element decoded (nested arrays stay views).
  std::vector<GgufValue> values() const;
  // The elements of a string array, pointing into the file's bytes. Throws for other elements.
  std::vector<std::string_view> strings() const;
  // The elements of a number array (integers and bools; floats() takes both). Throws for others.
  std::vector<int64_t> ints() const;
  std::vector<double> floats() const;

 private:
  GgufType elem_type_ = GgufType::U8;
  uint64_t count_ = 0;
  std::span<const uint8_t> bytes_;
};

struct GgufValue {
  GgufType type = GgufType::U8;
  int64_t i = 0;      // every integer type and bool
  double f = 0;       // F32, F64
  std::string s;      // STRING
  GgufArray array;    // ARRAY

  bool is_integer() const;
  bool is_float() const { return type == GgufType::F32 || type == GgufType::F64; }
};

}  // namespace slm
