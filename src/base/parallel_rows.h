#pragma once
// Row-wise element work (norms, residual adds, activations) over the pool when a prompt brings
// enough rows to pay for the hand-off; a decoded token's single row stays on the calling thread.
#include <cstdint>

#include "base/thread_pool.h"

namespace slm {

constexpr int64_t kMinParallelRows = 16;

// fn(begin, end) over disjoint row ranges covering [0, n_rows).
template <typename Fn>
void for_row_ranges(ThreadPool& pool, int64_t n_rows, Fn&& fn) {
  if (n_rows < kMinParallelRows) return fn(int64_t{0}, n_rows);
  pool.parallel_for(static_cast<size_t>(n_rows), [&](size_t begin, size_t end, int) {
    fn(static_cast<int64_t>(begin), static_cast<int64_t>(end));
  });
}

}  // namespace slm
