#include "formats/gguf_writer.h"

#include <cstdio>
#include <cstring>
#include <fstream>

#include "slm/error.h"

namespace slm {

namespace {

template <typename T>
void append(std::vector<uint8_t>& out, T v) {
  const auto* p = reinterpret_cast<const uint8_t*>(&v);
  out.insert(out.end(), p, p + sizeof(T));
}

void append_string(std::vector<uint8_t>& out, std::string_view s) {
  append<uint64_t>(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

void encode_value(std::vector<uint8_t>& out, const GgufValue& v, bool with_type) {
  if (with_type) append<uint32_t>(out, static_cast<uint32_t>(v.type));
  switch (v.type) {
    case GgufType::U8: append<uint8_t>(out, static_cast<uint8_t>(v.i)); break;
    case GgufType::I8: append<int8_t>(out, static_cast<int8_t>(v.i)); break;
    case GgufType::U16: append<uint16_t>(out, static_cast<uint16_t>(v.i)); break;
    case GgufType::I16: append<int16_t>(out, static_cast<int16_t>(v.i)); break;
    case GgufType::U32: append<uint32_t>(out, static_cast<uint32_t>(v.i)); break;
    case GgufType::I32: append<int32_t>(out, static_cast<int32_t>(v.i)); break;
    case GgufType::U64: append<uint64_t>(out, static_cast<uint64_t>(v.i)); break;
    case GgufType::I64: append<int64_t>(out, v.i); break;
    case GgufType::F32: append<float>(out, static_cast<float>(v.f)); break;
    case GgufType::F64: append<double>(out, v.f); break;
    case GgufType::BOOL: append<uint8_t>(out, v.i ? 1 : 0); break;
    case GgufType::STRING: append_string(out, v.s); break;
    case GgufType::ARRAY: {
      // The elements are kept encoded as in the file they were read from: copied as they are.
      append<uint32_t>(out, static_cast<uint32_t>(v.array.elem_type()));
      append<uint64_t>(out, v.array.size());
      const auto bytes = v.array.bytes();
      out.insert(out.end(), bytes.begin(), bytes.end());
      break;
    }
  }
}

}  // namespace

void GgufWriter::put(const std::string& key, std::vector<uint8_t> encoded) {
  for (auto& e : meta_)
    if (e.key == key) {
      e.encoded = std::move(encoded);
      return;
    }
  meta_.push_back({key, std::move(encoded)});
}

void GgufWriter::set_value(const std::string& key, const GgufValue& v) {
  std::vector<uint8_t> enc;
  encode_value(enc, v, true);
  put(key, std::move(enc));
}

#define SLM_SCALAR_SETTER(fn, T, gtype, field)      \
  void GgufWriter::fn(const std::string& key, T v) { \
    GgufValue g;                                     \
    g.type = gtype;                                  \
    g.field = v;                                     \
    set_value(key, g);                               \
  }
SLM_SCALAR_SETTER(set_u32, uint32_t, GgufType::U32, i)
SLM_SCALAR_SETTER(set_i32, int32_t, GgufType::I32, i)
SLM_SCALAR_SETTER(set_u64, uint64_t, GgufType::U64, i)
SLM_SCALAR_SETTER(set_f32, float, GgufType::F32, f)
SLM_SCALAR_SETTER(set_bool, bool, GgufType::BOOL, i)
#undef SLM_SCALAR_SETTER

void GgufWriter::set_string(const std::string& key, const std::string& v) {
  GgufValue g;
  g.type = GgufType::STRING;
  g.s = v;
  set_value(key, g);
}

// An array value: element type, count, then each element encoded by `put_elem`.
template <typename T, typename Put>
static std::vector<uint8_t> encode_array(GgufType elem, const std::vector<T>& items, Put put_elem) {
  std::vector<uint8_t> out;
  append<uint32_t>(out, static_cast<uint32_t>(GgufType::ARRAY));
  append<uint32_t>(out, static_cast<uint32_t>(elem));
  append<uint64_t>(out, items.size());
  for (const auto& x : items) put_elem(out, x);
  return out;
}

void GgufWriter::set_string_array(const std::string& key, const std::vector<std::string>& v) {
  put(key, encode_array(GgufType::STRING, v, append_string));
}
void GgufWriter::set_string_view_array(const std::string& key, const std::vector<std::string_view>& v) {
  put(key, encode_array(GgufType::STRING, v, append_string));
}
void GgufWriter::set_f32_array(const std::string& key, const std::vector<float>& v) {
  put(key, encode_array(GgufType::F32, v, append<float>));
}
void GgufWriter::set_i32_array(const std::string& key, const std::vector<int32_t>& v) {
  put(key, encode_array(GgufType::I32, v, append<int32_t>));
}

void GgufWriter::set_bool_array(const std::string& key, const std::vector<bool>& v) {
  put(key, encode_array(GgufType::BOOL, v, [](std::vector<uint8_t>& out, bool x) { append<uint8_t>(out, x ? 1 : 0); }));
}

void GgufWriter::add_tensor(const std::string& name, uint32_t ggml_type, const std::vector<int64_t>& shape,
                            std::vector<uint8_t> bytes) {
  const size_t n = bytes.size();
  tensors_.push_back({name, ggml_type, shape, std::move(bytes), n, false});
}

void GgufWriter::declare_tensor(const std::string& name, uint32_t ggml_type, const std::vector<int64_t>& shape,
                                size_t nbytes) {
  tensors_.push_back({name, ggml_type, shape, {}, nbytes, true});
}

std::vector<uint8_t> GgufWriter::header() const {
  std::vector<uint8_t> out;
  append<uint32_t>(out, 0x46554747);
  append<uint32_t>(out, 3);
  append<uint64_t>(out, tensors_.size());
  append<uint64_t>(out, meta_.size());
  for (const auto& e : meta_) {
    append_string(out, e.key);
    out.insert(out.end(), e.encoded.begin(), e.encoded.end());
  }
  const auto align = [&](uint64_t n) { return (n + alignment_ - 1) / alignment_ * alignment_; };
  uint64_t offset = 0;
  for (const auto& t : tensors_) {
    append_string(out, t.name);
    append<uint32_t>(out, static_cast<uint32_t>(t.shape.size()));
    for (auto it = t.shape.rbegin(); it != t.shape.rend(); ++it) append<uint64_t>(out, static_cast<uint64_t>(*it));
    append<uint32_t>(out, t.type);
    append<uint64_t>(out, offset);
    offset = align(offset + t.nbytes);
  }
  out.resize(align(out.size()), 0);
  return out;
}

std::vector<uint8_t> GgufWriter::serialize() const {
  const auto align = [&](uint64_t n) { return (n + alignment_ - 1) / alignment_ * alignment_; };
  std::vector<uint8_t> out = header();
  for (const auto& t : tensors_) {
    if (t.declared) throw Error("GGUF writer: tensor " + t.name + " has no bytes (use write_streaming)");
    out.insert(out.end(), t.bytes.begin(), t.bytes.end());
    out.resize(align(out.size()), 0);
  }
  return out;
}

void GgufWriter::write(const std::string& path) const {
  const std::vector<uint8_t> bytes = serialize();
  const std::string tmp = path + ".partial";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(path + ": cannot create file");
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw Error(path + ": write failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw Error(path + ": cannot rename the finished file into place");
}

void GgufWriter::write_streaming(const std::string& path, const ProduceFn& produce) const {
  const std::string tmp = path + ".partial";
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(path + ": cannot create file");
  const auto put = [&](const uint8_t* p, size_t n) {
    out.write(reinterpret_cast<const char*>(p), static_cast<std::streamsize>(n));
    if (!out) throw Error(path + ": write failed");
  };
  const std::vector<uint8_t> head = header();
  put(head.data(), head.size());
  std::vector<uint8_t> buffer;
  const std::vector<uint8_t> zeros(alignment_, 0);
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const TensorEntry& t = tensors_[i];
    const std::vector<uint8_t>* bytes = &t.bytes;
    if (t.declared) {
      buffer.clear();
      produce(i, buffer);
      if (buffer.size() != t.nbytes)
        throw Error("GGUF writer: tensor " + t.name + ": produced " + std::to_string(buffer.size()) +
                    " bytes, declared " + std::to_string(t.nbytes));
      bytes = &buffer;
    }
    put(bytes->data(), bytes->size());
    put(zeros.data(), (alignment_ - bytes->size() % alignment_) % alignment_);
  }
  out.close();
  if (!out) throw Error(path + ": write failed");
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw Error(path + ": cannot rename the finished file into place");
}

}  // namespace slm
