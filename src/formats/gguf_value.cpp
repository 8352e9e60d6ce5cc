#include "formats/gguf_value.h"

#include <cstring>

#include "slm/error.h"

namespace slm {

namespace {

template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// Decodes the element at p into out and returns the byte after it. The reader validated the
// bytes when it opened the file; `end` only guards against a view built from anything else.
const uint8_t* decode(GgufType type, const uint8_t* p, const uint8_t* end, GgufValue& out) {
  const auto need = [&](uint64_t n) {
    if (n > static_cast<uint64_t>(end - p)) throw Error("GGUF array: element runs past its bytes");
  };
  out.type = type;
  const size_t fixed = gguf_fixed_size(type);
  if (fixed) {
    need(fixed);
    switch (type) {
      case GgufType::U8: case GgufType::BOOL: out.i = load<uint8_t>(p); break;
      case GgufType::I8: out.i = load<int8_t>(p); break;
      case GgufType::U16: out.i = load<uint16_t>(p); break;
      case GgufType::I16: out.i = load<int16_t>(p); break;
      case GgufType::U32: out.i = load<uint32_t>(p); break;
      case GgufType::I32: out.i = load<int32_t>(p); break;
      case GgufType::U64: out.i = static_cast<int64_t>(load<uint64_t>(p)); break;
      case GgufType::I64: out.i = load<int64_t>(p); break;
      case GgufType::F32: out.f = load<float>(p); break;
      case GgufType::F64: out.f = load<double>(p); break;
      default: break;
    }
    return p + fixed;
  }
  if (type == GgufType::STRING) {
    need(8);
    const uint64_t len = load<uint64_t>(p);
    p += 8;
    need(len);
    out.s.assign(reinterpret_cast<const char*>(p), len);
    return p + len;
  }
  // A nested array: find where its elements end by walking them.
  need(12);
  const auto elem = static_cast<GgufType>(load<uint32_t>(p));
  const uint64_t count = load<uint64_t>(p + 4);
  const uint8_t* begin = p + 12;
  const uint8_t* q = begin;
  GgufValue scratch;
  for (uint64_t k = 0; k < count; ++k) q = decode(elem, q, end, scratch);
  out.array = GgufArray(elem, count, std::span<const uint8_t>(begin, q));
  return q;
}

}  // namespace

size_t gguf_fixed_size(GgufType type) {
  switch (type) {
    case GgufType::U8: case GgufType::I8: case GgufType::BOOL: return 1;
    case GgufType::U16: case GgufType::I16: return 2;
    case GgufType::U32: case GgufType::I32: case GgufType::F32: return 4;
    case GgufType::U64: case GgufType::I64: case GgufType::F64: return 8;
    default: return 0;
  }
}

std::vector<GgufValue> GgufArray::values() const {
  std::vector<GgufValue> out(count_);
  const uint8_t* p = bytes_.data();
  const uint8_t* end = p + bytes_.size();
  for (auto& v : out) p = decode(elem_type_, p, end, v);
  return out;
}

std::vector<std::string_view> GgufArray::strings() const {
  if (elem_type_ != GgufType::STRING) throw Error("GGUF array: not an array of strings");
  std::vector<std::string_view> out;
  out.reserve(count_);
  const uint8_t* p = bytes_.data();
  const uint8_t* end = p + bytes_.size();
  for (uint64_t k = 0; k < count_; ++k) {
    if (end - p < 8) throw Error("GGUF array: element runs past its bytes");
    const uint64_t len = load<uint64_t>(p);
    p += 8;
    if (len > static_cast<uint64_t>(end - p)) throw Error("GGUF array: element runs past its bytes");
    out.emplace_back(reinterpret_cast<const char*>(p), len);
    p += len;
  }
  return out;
}

std::vector<int64_t> GgufArray::ints() const {
  GgufValue v;
  v.type = elem_type_;
  if (count_ && !v.is_integer()) throw Error("GGUF array: not an array of integers");
  std::vector<int64_t> out(count_);
  const uint8_t* p = bytes_.data();
  const uint8_t* end = p + bytes_.size();
  for (auto& x : out) {
    p = decode(elem_type_, p, end, v);
    x = v.i;
  }
  return out;
}

std::vector<double> GgufArray::floats() const {
  GgufValue v;
  v.type = elem_type_;
  if (count_ && !v.is_integer() && !v.is_float()) throw Error("GGUF array: not an array of numbers");
  std::vector<double> out(count_);
  const uint8_t* p = bytes_.data();
  const uint8_t* end = p + bytes_.size();
  for (auto& x : out) {
    p = decode(elem_type_, p, end, v);
    x = v.is_float() ? v.f : static_cast<double>(v.i);
  }
  return out;
}

bool GgufValue::is_integer() const {
  switch (type) {
    case GgufType::U8: case GgufType::I8: case GgufType::U16: case GgufType::I16:
    case GgufType::U32: case GgufType::I32: case GgufType::U64: case GgufType::I64: case GgufType::BOOL:
      return true;
    default: return false;
  }
}

}  // namespace slm
