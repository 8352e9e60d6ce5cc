#include "formats/weight_store.h"

#include "formats/names.h"
#include "slm/error.h"

namespace slm {

void WeightStore::put(const std::string& name, const Tensor& t, const std::string& origin, bool writable) {
  entries_[name] = Entry{t, origin, writable};
}

void WeightStore::put_owned(const std::string& name, DType dtype, std::vector<int64_t> shape,
                            std::vector<uint8_t> bytes, const std::string& origin) {
  owned_.push_back(std::make_unique<std::vector<uint8_t>>(std::move(bytes)));
  Tensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.data = owned_.back()->data();
  entries_[name] = Entry{t, origin, true};
}

const Tensor* WeightStore::find(const std::string& name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second.tensor;
}

const Tensor& WeightStore::get(const std::string& name, const std::vector<int64_t>& shape) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    std::string hint;
    if (hf_names)
      if (auto hf = hf_name_from_canonical(name)) hint = " (" + *hf + ")";
    throw Error(source + ": missing tensor " + name + hint);
  }
  const Tensor& t = it->second.tensor;
  if (t.data == nullptr) throw Error(it->second.origin + ": no usable data");
  if (t.shape != shape)
    throw Error(it->second.origin + ": expected shape " + shape_string(shape) + ", got " + shape_string(t.shape));
  return t;
}

const std::string& WeightStore::origin(const std::string& name) const {
  static const std::string none;
  auto it = entries_.find(name);
  return it == entries_.end() ? none : it->second.origin;
}

bool WeightStore::writable(const std::string& name) const {
  auto it = entries_.find(name);
  return it != entries_.end() && it->second.writable;
}

void WeightStore::relayout(const std::string& name, DType dtype) {
  auto it = entries_.find(name);
  if (it == entries_.end()) throw Error(source + ": missing tensor " + name);
  Tensor& t = it->second.tensor;
  if (dtype_bytes(dtype, static_cast<size_t>(t.numel())) != t.nbytes())
    throw Error(it->second.origin + ": " + dtype_name(dtype) + " does not take the bytes of " + dtype_name(t.dtype));
  t.dtype = dtype;
}

std::vector<std::string> WeightStore::names() const {
  std::vector<std::string> out;
  for (const auto& [n, e] : entries_) out.push_back(n);
  return out;
}

size_t WeightStore::total_bytes() const {
  size_t n = 0;
  for (const auto& [name, e] : entries_) n += e.tensor.nbytes();
  return n;
}

int64_t WeightStore::total_params() const {
  int64_t n = 0;
  for (const auto& [name, e] : entries_) n += e.tensor.numel();
  return n;
}

std::map<std::string, size_t> WeightStore::bytes_by_dtype() const {
  std::map<std::string, size_t> out;
  for (const auto& [name, e] : entries_) out[dtype_name(e.tensor.dtype)] += e.tensor.nbytes();
  return out;
}

}  // namespace slm
