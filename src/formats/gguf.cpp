#include "formats/gguf.h"

#include <cstring>

#include "slm/error.h"

namespace slm {

namespace {

constexpr uint32_t kMagic = 0x46554747;  // "GGUF" little-endian
constexpr int kMaxArrayDepth = 4;

// Bounds-checked little-endian reader over the mapped bytes.
class Cursor {
 public:
  Cursor(const std::string& path, const uint8_t* p, size_t n) : path_(path), p_(p), n_(n) {}

  template <typename T>
  T read(const char* what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, p_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::string read_string(const char* what) {
    uint64_t len = read<uint64_t>(what);
    need(len, what);
    std::string s(reinterpret_cast<const char*>(p_ + pos_), len);
    pos_ += len;
    return s;
  }
  void skip_string(const char* what) { skip(read<uint64_t>(what), what); }
  void skip(uint64_t bytes, const char* what) {
    need(bytes, what);
    pos_ += bytes;
  }
  const uint8_t* at(size_t pos) const { return p_ + pos; }
  void need(uint64_t bytes, const char* what) const {
    if (bytes > n_ - pos_)
      throw Error(path_ + ": truncated GGUF file while reading " + what + " at offset " + std::to_string(pos_));
  }
  size_t pos() const { return pos_; }
  size_t remaining() const { return n_ - pos_; }

 private:
  const std::string& path_;
  const uint8_t* p_;
  size_t n_;
  size_t pos_ = 0;
};

void read_value(Cursor& c, GgufType type, const std::string& key, const std::string& path, int depth,
                GgufValue* out);

// An array's elements are checked here, once, and then kept as a view of the file's bytes.
GgufArray read_array(Cursor& c, const std::string& key, const std::string& path, int depth) {
  if (depth >= kMaxArrayDepth) throw Error(path + ": metadata " + key + ": arrays nested too deep");
  uint32_t et = c.read<uint32_t>("array type");
  if (et > static_cast<uint32_t>(GgufType::F64))
    throw Error(path + ": metadata " + key + ": unknown array element type " + std::to_string(et));
  const auto elem = static_cast<GgufType>(et);
  uint64_t count = c.read<uint64_t>("array length");
  // Every element takes at least one byte: a larger count is corrupt, not a reason to read on.
  if (count > c.remaining())
    throw Error(path + ": metadata " + key + ": array length " + std::to_string(count) +
                " exceeds what is left of the file (truncated or corrupt)");
  const size_t begin = c.pos();
  const size_t fixed = gguf_fixed_size(elem);
  if (fixed && elem != GgufType::BOOL) {
    if (count * fixed > c.remaining())  // count <= remaining: no overflow
      throw Error(path + ": metadata " + key + ": array of " + std::to_string(count) +
                  " elements runs past the end of the file (truncated or corrupt)");
    c.skip(count * fixed, "array");
  } else {
    for (uint64_t k = 0; k < count; ++k) read_value(c, elem, key, path, depth + 1, nullptr);
  }
  return GgufArray(elem, count, std::span<const uint8_t>(c.at(begin), c.pos() - begin));
}

// Reads one value into *out, or only checks it when out is null (an array's element).
void read_value(Cursor& c, GgufType type, const std::string& key, const std::string& path, int depth,
                GgufValue* out) {
  GgufValue scratch;
  GgufValue& v = out ? *out : scratch;
  v.type = type;
  switch (type) {
    case GgufType::U8: v.i = c.read<uint8_t>("u8"); break;
    case GgufType::I8: v.i = c.read<int8_t>("i8"); break;
    case GgufType::U16: v.i = c.read<uint16_t>("u16"); break;
    case GgufType::I16: v.i = c.read<int16_t>("i16"); break;
    case GgufType::U32: v.i = c.read<uint32_t>("u32"); break;
    case GgufType::I32: v.i = c.read<int32_t>("i32"); break;
    case GgufType::U64: v.i = static_cast<int64_t>(c.read<uint64_t>("u64")); break;
    case GgufType::I64: v.i = c.read<int64_t>("i64"); break;
    case GgufType::F32: v.f = c.read<float>("f32"); break;
    case GgufType::F64: v.f = c.read<double>("f64"); break;
    case GgufType::BOOL: {
      uint8_t b = c.read<uint8_t>("bool");
      if (b > 1) throw Error(path + ": metadata " + key + ": invalid bool value " + std::to_string(b));
      v.i = b;
      break;
    }
    case GgufType::STRING:
      if (out) v.s = c.read_string("string");
      else c.skip_string("string");
      break;
    case GgufType::ARRAY: v.array = read_array(c, key, path, depth); break;
    default:
      throw Error(path + ": metadata " + key + ": unknown value type " + std::to_string(static_cast<uint32_t>(type)));
  }
}

}  // namespace

GgufFile::GgufFile(const std::string& path, Residency residency) : file_(path, residency) {
  Cursor c(path, file_.data(), file_.size());
  if (file_.size() < 4 || c.read<uint32_t>("magic") != kMagic) throw Error(path + ": not a GGUF file (bad magic)");
  version_ = c.read<uint32_t>("version");
  if (version_ != 2 && version_ != 3)
    throw Error(path + ": unsupported GGUF version " + std::to_string(version_) + " (slm reads 2 and 3)");
  uint64_t n_tensors = c.read<uint64_t>("tensor count");
  uint64_t n_kv = c.read<uint64_t>("metadata count");
  if (n_kv > c.remaining() || n_tensors > c.remaining())
    throw Error(path + ": truncated GGUF file: tensor/metadata counts exceed its size");

  for (uint64_t k = 0; k < n_kv; ++k) {
    std::string key = c.read_string("metadata key");
    uint32_t type = c.read<uint32_t>("metadata type");
    if (type > static_cast<uint32_t>(GgufType::F64))
      throw Error(path + ": metadata " + key + ": unknown value type " + std::to_string(type));
    GgufValue v;
    read_value(c, static_cast<GgufType>(type), key, path, 0, &v);
    metadata_[key] = std::move(v);
  }

  uint64_t alignment = 32;
  if (auto* a = find("general.alignment")) {
    if (!a->is_integer() || a->i <= 0 || (a->i & (a->i - 1)) != 0)
      throw Error(path + ": general.alignment must be a positive power of two, got " +
                  (a->is_integer() ? std::to_string(a->i) : std::string("a non-integer")));
    alignment = static_cast<uint64_t>(a->i);
  }

  for (uint64_t k = 0; k < n_tensors; ++k) {
    GgufTensorInfo info;
    info.name = c.read_string("tensor name");
    uint32_t n_dims = c.read<uint32_t>("tensor dims");
    if (n_dims == 0 || n_dims > 4)
      throw Error(path + ": tensor " + info.name + ": invalid number of dimensions " + std::to_string(n_dims));
    std::vector<int64_t> ne(n_dims);
    for (auto& d : ne) {
      uint64_t v = c.read<uint64_t>("tensor dim");
      if (v == 0 || v > (1ull << 40)) throw Error(path + ": tensor " + info.name + ": invalid dimension " + std::to_string(v));
      d = static_cast<int64_t>(v);
    }
    info.shape.assign(ne.rbegin(), ne.rend());
    info.ggml_type = c.read<uint32_t>("tensor type");
    info.offset = c.read<uint64_t>("tensor offset");
    if (info.offset % alignment != 0)
      throw Error(path + ": tensor " + info.name + ": offset " + std::to_string(info.offset) +
                  " is not a multiple of the alignment " + std::to_string(alignment));
    infos_.push_back(std::move(info));
  }

  size_t data_start = (c.pos() + alignment - 1) / alignment * alignment;
  if (data_start > file_.size() && n_tensors > 0) throw Error(path + ": truncated GGUF file: no tensor data");
  size_t data_size = file_.size() > data_start ? file_.size() - data_start : 0;

  for (const auto& info : infos_) {
    auto dtype = dtype_from_ggml(info.ggml_type);
    if (!dtype) continue;  // reported when the model asks for it
    Tensor t;
    t.dtype = *dtype;
    t.shape = info.shape;
    const int block = dtype_info(*dtype).block_elems;
    if (t.cols() % block != 0)
      throw Error(path + ": tensor " + info.name + ": row length " + std::to_string(t.cols()) +
                  " is not a multiple of the " + dtype_name(*dtype) + " block size");
    if (info.offset > data_size || t.nbytes() > data_size - info.offset)
      throw Error(path + ": tensor " + info.name + ": data [" + std::to_string(info.offset) + ", +" +
                  std::to_string(t.nbytes()) + ") lies past the end of the file");
    t.data = file_.data() + data_start + info.offset;
    tensors_[info.name] = std::move(t);
  }
}

const GgufValue* GgufFile::find(const std::string& key) const {
  auto it = metadata_.find(key);
  return it == metadata_.end() ? nullptr : &it->second;
}

static const GgufValue& need(const GgufFile& f, const std::string& key) {
  const GgufValue* v = f.find(key);
  if (!v) throw Error(f.path() + ": missing metadata " + key);
  return *v;
}

int64_t GgufFile::get_int(const std::string& key) const {
  const auto& v = need(*this, key);
  if (!v.is_integer()) throw Error(path() + ": metadata " + key + ": expected an integer");
  return v.i;
}

double GgufFile::get_float(const std::string& key) const {
  const auto& v = need(*this, key);
  if (v.is_float()) return v.f;
  if (v.is_integer()) return static_cast<double>(v.i);
  throw Error(path() + ": metadata " + key + ": expected a number");
}

bool GgufFile::get_bool(const std::string& key) const {
  const auto& v = need(*this, key);
  if (v.type != GgufType::BOOL) throw Error(path() + ": metadata " + key + ": expected a bool");
  return v.i != 0;
}

const std::string& GgufFile::get_string(const std::string& key) const {
  const auto& v = need(*this, key);
  if (v.type != GgufType::STRING) throw Error(path() + ": metadata " + key + ": expected a string");
  return v.s;
}

static const GgufArray& need_array(const GgufFile& f, const std::string& key) {
  const auto& v = need(f, key);
  if (v.type != GgufType::ARRAY) throw Error(f.path() + ": metadata " + key + ": expected an array");
  return v.array;
}

std::vector<std::string_view> GgufFile::get_string_views(const std::string& key) const {
  const auto& a = need_array(*this, key);
  if (a.elem_type() != GgufType::STRING) throw Error(path() + ": metadata " + key + ": expected an array of strings");
  return a.strings();
}

std::vector<std::string> GgufFile::get_string_array(const std::string& key) const {
  const auto views = get_string_views(key);
  return std::vector<std::string>(views.begin(), views.end());
}

std::vector<double> GgufFile::get_float_array(const std::string& key) const {
  const auto& a = need_array(*this, key);
  GgufValue elem;
  elem.type = a.elem_type();
  if (!a.empty() && !elem.is_float() && !elem.is_integer()) throw Error(path() + ": metadata " + key + ": expected an array of numbers");
  return a.floats();
}

std::vector<int64_t> GgufFile::get_int_array(const std::string& key) const {
  const auto& a = need_array(*this, key);
  GgufValue elem;
  elem.type = a.elem_type();
  if (!a.empty() && !elem.is_integer()) throw Error(path() + ": metadata " + key + ": expected an array of integers");
  return a.ints();
}

std::optional<int64_t> GgufFile::int_or(const std::string& key) const {
  if (!has(key)) return std::nullopt;
  return get_int(key);
}

std::optional<double> GgufFile::float_or(const std::string& key) const {
  if (!has(key)) return std::nullopt;
  return get_float(key);
}

}  // namespace slm
