#pragma once
// Weights under canonical names (GGUF-style: "blk.0.attn_q.weight"), whatever file they came from.
// Views point into memory maps kept alive here, or into buffers owned here when a layout had to change.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace slm {

class WeightStore {
 public:
  // Keeps a mapped file (or any owner of the viewed bytes) alive as long as the store.
  void keep_alive(std::shared_ptr<const void> owner) { owners_.push_back(std::move(owner)); }
  // `origin` names where it came from for error messages: "model.safetensors: model.norm.weight".
  // `writable`: t's bytes are the process's own copy, which may be rewritten in place.
  void put(const std::string& name, const Tensor& t, const std::string& origin, bool writable = false);
  // Stores a tensor whose bytes this store owns.
  void put_owned(const std::string& name, DType dtype, std::vector<int64_t> shape, std::vector<uint8_t> bytes,
                 const std::string& origin);

  bool has(const std::string& name) const { return entries_.count(name) > 0; }
  const Tensor* find(const std::string& name) const;
  // The tensor, checked against the expected shape; throws slm::Error naming the origin otherwise.
  const Tensor& get(const std::string& name, const std::vector<int64_t>& shape) const;
  const std::string& origin(const std::string& name) const;
  bool writable(const std::string& name) const;
  // Says the bytes of a tensor are now in another layout of the same size (after they were
  // rewritten in place).
  void relayout(const std::string& name, DType dtype);

  std::vector<std::string> names() const;
  size_t total_bytes() const;
  int64_t total_params() const;
  // The dtypes present with the bytes each accounts for, e.g. {"BF16": 1234}.
  std::map<std::string, size_t> bytes_by_dtype() const;

  std::string source;     // the file or directory, for messages
  bool hf_names = false;  // name missing tensors by their Hugging Face names too

 private:
  struct Entry {
    Tensor tensor;
    std::string origin;
    bool writable = false;
  };
  std::map<std::string, Entry> entries_;
  std::vector<std::shared_ptr<const void>> owners_;
  std::vector<std::unique_ptr<std::vector<uint8_t>>> owned_;
};

}  // namespace slm
