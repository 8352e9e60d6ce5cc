#pragma once
// Writes GGUF v3 files: typed metadata in insertion order, then aligned tensor data.
#include <cstdint>
#include <string>
#include <vector>

#include "formats/gguf.h"

namespace slm {

class GgufWriter {
 public:
  void set_u32(const std::string& key, uint32_t v);
  void set_i32(const std::string& key, int32_t v);
  void set_u64(const std::string& key, uint64_t v);
  void set_f32(const std::string& key, float v);
  void set_bool(const std::string& key, bool v);
  void set_string(const std::string& key, const std::string& v);
  void set_string_array(const std::string& key, const std::vector<std::string>& v);
  void set_f32_array(const std::string& key, const std::vector<float>& v);
  void set_i32_array(const std::string& key, const std::vector<int32_t>& v);
  // Copies a metadata value read from another file.
  void set_value(const std::string& key, const GgufValue& v);

  // shape outermost first (as Tensor::shape); bytes must match dtype and shape.
  void add_tensor(const std::string& name, uint32_t ggml_type, const std::vector<int64_t>& shape,
                  std::vector<uint8_t> bytes);

  void set_alignment(uint32_t alignment) { alignment_ = alignment; }
  // Writes to `path` (through a temporary file renamed at the end).
  void write(const std::string& path) const;
  // The whole file as bytes (for tests that corrupt it).
  std::vector<uint8_t> serialize() const;

 private:
  struct Entry {
    std::string key;
    std::vector<uint8_t> encoded;  // type + value
  };
  struct TensorEntry {
    std::string name;
    uint32_t type;
    std::vector<int64_t> shape;
    std::vector<uint8_t> bytes;
  };
  void put(const std::string& key, std::vector<uint8_t> encoded);
  std::vector<Entry> meta_;
  std::vector<TensorEntry> tensors_;
  uint32_t alignment_ = 32;
};

}  // namespace slm
