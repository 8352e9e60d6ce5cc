#pragma once
// GGUF v2/v3 reader: typed metadata, tensor infos, aligned data section over a memory map.
// Metadata arrays are views of the file's bytes (see gguf_value.h), valid while the file is open.
// Block-quantized tensor types are described by dtype.h, so they load like any other dtype.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/mapped_file.h"
#include "formats/gguf_value.h"
#include "tensor/tensor.h"

namespace slm {

struct GgufTensorInfo {
  std::string name;
  std::vector<int64_t> shape;  // outermost first (GGUF stores ne[0] innermost: reversed here)
  uint32_t ggml_type = 0;
  uint64_t offset = 0;         // relative to the data section
};

class GgufFile {
 public:
  explicit GgufFile(const std::string& path, Residency residency = Residency::kMapped);

  const std::string& path() const { return file_.path(); }
  uint32_t version() const { return version_; }
  const std::map<std::string, GgufValue>& metadata() const { return metadata_; }
  // The file's bytes, writable, when they were read into the process's memory; else nullptr.
  uint8_t* own_data() { return file_.own_data(); }
  const std::vector<GgufTensorInfo>& tensor_infos() const { return infos_; }
  // Tensor views for every tensor of a known dtype; unknown types raise on use, not on load.
  const std::map<std::string, Tensor>& tensors() const { return tensors_; }

  bool has(const std::string& key) const { return metadata_.count(key) > 0; }
  const GgufValue* find(const std::string& key) const;
  // Typed accessors: throw slm::Error naming the file and key when absent or mistyped.
  int64_t get_int(const std::string& key) const;
  double get_float(const std::string& key) const;  // accepts integers too
  bool get_bool(const std::string& key) const;
  const std::string& get_string(const std::string& key) const;
  std::vector<std::string> get_string_array(const std::string& key) const;
  // The same without copies: views of the file's bytes, valid while this file is open.
  std::vector<std::string_view> get_string_views(const std::string& key) const;
  std::vector<double> get_float_array(const std::string& key) const;
  std::vector<int64_t> get_int_array(const std::string& key) const;

  std::optional<int64_t> int_or(const std::string& key) const;
  std::optional<double> float_or(const std::string& key) const;

 private:
  MappedFile file_;
  uint32_t version_ = 0;
  std::map<std::string, GgufValue> metadata_;
  std::vector<GgufTensorInfo> infos_;
  std::map<std::string, Tensor> tensors_;
};

}  // namespace slm
