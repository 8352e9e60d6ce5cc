#include "model/blocks/weights_util.h"

#include "kernels/dot.h"

namespace slm {

std::vector<float> load_vector_f32(const WeightStore& w, const std::string& name, int64_t n, double offset) {
  const Tensor& t = w.get(name, {n});
  std::vector<float> out(n);
  kernels::row_to_f32(t.dtype, t.data, out.data(), n);
  if (offset != 0)
    for (auto& v : out) v = static_cast<float>(v + offset);
  return out;
}

std::vector<float> load_optional_vector_f32(const WeightStore& w, const std::string& name, int64_t n) {
  return w.has(name) ? load_vector_f32(w, name, n) : std::vector<float>();
}

}  // namespace slm
