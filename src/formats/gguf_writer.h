#pragma once
// Writes GGUF v3 files: typed metadata in insertion order, then aligned tensor data.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
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
  void set_string_view_array(const std::string& key, const std::vector<std::string_view>& v);
  void set_f32_array(const std::string& key, const std::vector<float>& v);
  void set_i32_array(const std::string& key, const std::vector<int32_t>& v);
  void set_bool_array(const std::string& key, const std::vector<bool>& v);
  // Copies a metadata value read from another file.
  void set_value(const std::string& key, const GgufValue& v);

  // shape outermost first (as Tensor::shape); bytes must match dtype and shape.
  void add_tensor(const std::string& name, uint32_t ggml_type, const std::vector<int64_t>& shape,
                  std::vector<uint8_t> bytes);

  // Declares a tensor whose bytes are produced while writing (see write_streaming).
  void declare_tensor(const std::string& name, uint32_t ggml_type, const std::vector<int64_t>& shape, size_t nbytes);

  void set_alignment(uint32_t alignment) { alignment_ = alignment; }
  // Writes to `path` (through a temporary file renamed at the end).
  void write(const std::string& path) const;
  // Writes the header, then each tensor in order: added bytes as they are, declared tensors
  // through produce(index, out), which must fill exactly the declared size. Only one declared
  // tensor's bytes are held at a time.
  using ProduceFn = std::function<void(size_t index, std::vector<uint8_t>& out)>;
  void write_streaming(const std::string& path, const ProduceFn& produce) const;
  size_t tensor_count() const { return tensors_.size(); }
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
    size_t nbytes = 0;
    bool declared = false;  // bytes come from ProduceFn
  };
  std::vector<uint8_t> header() const;
  void put(const std::string& key, std::vector<uint8_t> encoded);
  std::vector<Entry> meta_;
  std::vector<TensorEntry> tensors_;
  uint32_t alignment_ = 32;
};

}  // namespace slm
