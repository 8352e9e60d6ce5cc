#pragma once
// safetensors: an 8-byte little-endian header length, a JSON header naming each tensor's
// dtype, shape and byte range, then the raw data. Tensors are views into the mapped file.
#include <map>
#include <memory>
#include <string>

#include "base/mapped_file.h"
#include "tensor/tensor.h"

namespace slm {

class SafetensorsFile {
 public:
  // Maps and validates the file: header bounds, JSON, dtypes, shapes against byte ranges.
  explicit SafetensorsFile(const std::string& path);

  const std::map<std::string, Tensor>& tensors() const { return tensors_; }
  const std::string& path() const { return file_.path(); }

 private:
  MappedFile file_;
  std::map<std::string, Tensor> tensors_;
};

}  // namespace slm
