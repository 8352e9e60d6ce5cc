#include "formats/interleave_weights.h"

#include <algorithm>
#include <map>
#include <vector>

#include "kernels/q8_0x4_kernels.h"
#include "tensor/quant/q8_0x4.h"

namespace slm {

namespace {

struct Extent {
  const uint8_t* begin;
  const uint8_t* end;
  bool operator<(const Extent& o) const { return begin < o.begin || (begin == o.begin && end < o.end); }
};

void interleave_matrix(const Tensor& t, ThreadPool& pool) {
  const int64_t rows = t.rows(), cols = t.cols();
  const size_t row_bytes = dtype_bytes(DType::Q8_0, static_cast<size_t>(cols));
  auto* base = static_cast<uint8_t*>(const_cast<void*>(t.data));
  pool.parallel_for(static_cast<size_t>(rows / 4), [&](size_t begin, size_t end, int) {
    quant::interleave_q8_0x4_in_place(base + begin * 4 * row_bytes, static_cast<int64_t>(end - begin), cols);
  });
}

}  // namespace

int64_t interleave_for_decode(WeightStore& weights, ThreadPool& pool) {
  if (!kernels::q8_0x4_dot_best()) return 0;
  // Every tensor's bytes, so that a matrix another tensor views part of (a fused projection
  // split into views, say) is left alone: rewriting it would scramble the view.
  std::map<Extent, std::vector<std::string>> by_extent;
  for (const auto& name : weights.names()) {
    const Tensor* t = weights.find(name);
    if (!t || !t->data || t->nbytes() == 0) continue;
    const auto* p = static_cast<const uint8_t*>(t->data);
    by_extent[{p, p + t->nbytes()}].push_back(name);
  }
  int64_t rewritten = 0;
  const uint8_t* reach = nullptr;  // the furthest end among the extents before the current one
  for (auto it = by_extent.begin(); it != by_extent.end(); ++it) {
    const Extent e = it->first;
    const bool overlaps_previous = reach && reach > e.begin;
    reach = std::max(reach ? reach : e.end, e.end);
    const auto next = std::next(it);
    const bool overlaps_next = next != by_extent.end() && next->first.begin < e.end;
    if (overlaps_previous || overlaps_next) continue;
    // The same bytes may go by several names (a tied output matrix): all must agree.
    const Tensor& t = *weights.find(it->second[0]);
    bool eligible = t.dtype == DType::Q8_0 && quant::q8_0x4_fits(t.shape);
    for (const auto& name : it->second) {
      const Tensor& alias = *weights.find(name);
      eligible = eligible && weights.writable(name) && alias.dtype == t.dtype && alias.shape == t.shape;
    }
    if (!eligible) continue;
    interleave_matrix(t, pool);
    for (const auto& name : it->second) weights.relayout(name, DType::Q8_0x4);
    rewritten += static_cast<int64_t>(t.nbytes());
  }
  return rewritten;
}

}  // namespace slm
