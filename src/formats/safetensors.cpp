#include "formats/safetensors.h"

#include <nlohmann/json.hpp>

#include "slm/error.h"

namespace slm {

static DType parse_dtype(const std::string& file, const std::string& name, const std::string& s) {
  if (s == "F32") return DType::F32;
  if (s == "F16") return DType::F16;
  if (s == "BF16") return DType::BF16;
  throw Error(file + ": tensor " + name + ": unsupported dtype " + s + " (slm reads F32, F16, BF16)");
}

SafetensorsFile::SafetensorsFile(const std::string& path) : file_(path) {
  const uint8_t* p = file_.data();
  size_t size = file_.size();
  if (size < 8) throw Error(path + ": truncated safetensors file (" + std::to_string(size) + " bytes)");
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = header_len << 8 | p[i];
  if (header_len > size - 8)
    throw Error(path + ": header length " + std::to_string(header_len) + " exceeds the file size " +
                std::to_string(size));
  const size_t data_start = 8 + header_len;
  const size_t data_size = size - data_start;

  nlohmann::json header;
  try {
    header = nlohmann::json::parse(p + 8, p + 8 + header_len);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": corrupt JSON header: " + e.what());
  }
  if (!header.is_object()) throw Error(path + ": JSON header is not an object");

  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") continue;
    const std::string ctx = path + ": tensor " + name;
    try {
      if (!info.is_object()) throw Error(ctx + ": entry is not an object");
      Tensor t;
      t.dtype = parse_dtype(path, name, info.at("dtype").get<std::string>());
      for (const auto& d : info.at("shape")) {
        int64_t v = d.get<int64_t>();
        if (v < 0) throw Error(ctx + ": negative dimension");
        t.shape.push_back(v);
      }
      const auto& off = info.at("data_offsets");
      if (!off.is_array() || off.size() != 2) throw Error(ctx + ": data_offsets must be [begin, end]");
      uint64_t begin = off[0].get<uint64_t>(), end = off[1].get<uint64_t>();
      if (begin > end || end > data_size)
        throw Error(ctx + ": data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                    "] lie past the end of the file (data section is " + std::to_string(data_size) +
                    " bytes)");
      if (end - begin != t.nbytes())
        throw Error(ctx + ": shape " + shape_string(t.shape) + " needs " + std::to_string(t.nbytes()) +
                    " bytes, data_offsets give " + std::to_string(end - begin));
      t.data = p + data_start + begin;
      tensors_.emplace(name, std::move(t));
    } catch (const nlohmann::json::exception& e) {
      throw Error(ctx + ": malformed entry: " + e.what());
    }
  }
}

}  // namespace slm
