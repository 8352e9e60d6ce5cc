#pragma once
// Loading helpers shared by the blocks.
#include <string>
#include <vector>

#include "formats/weight_store.h"

namespace slm {

// A small vector (norm weight, bias) widened to f32; `offset` turns a stored w into 1 + w.
std::vector<float> load_vector_f32(const WeightStore& w, const std::string& name, int64_t n, double offset = 0);
// The same, or an empty vector when the tensor is absent.
std::vector<float> load_optional_vector_f32(const WeightStore& w, const std::string& name, int64_t n);

inline const float* data_or_null(const std::vector<float>& v) { return v.empty() ? nullptr : v.data(); }

inline void grow(std::vector<float>& v, size_t n) {
  if (v.size() < n) v.resize(n);
}

}  // namespace slm
