#pragma once
// A parallel loop for work whose threads run at uneven speeds: decoding, where the threads
// share the memory bus and one often gets the larger part of it. Each thread starts on its own
// contiguous share, front to back, a grain at a time; once through, it takes grains left in the
// other shares from their far ends. Without this the faster thread waits at the end of every
// matrix while the slower one finishes alone.
// Which thread runs a grain varies from run to run: use it only where the result of each index
// does not depend on which thread computes it.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "base/thread_pool.h"

namespace slm {

namespace balanced_detail {

// The grains [front, back) of a share not yet taken, packed in one word so a claim is one CAS.
struct alignas(64) Share {
  std::atomic<uint64_t> span{0};
};
inline uint64_t pack(uint64_t front, uint64_t back) { return front << 32 | back; }

// The next grain from the front (the owner) or the back (a helper); -1 when none is left.
inline int64_t claim(Share& s, bool from_front) {
  uint64_t v = s.span.load(std::memory_order_relaxed);
  for (;;) {
    const uint64_t front = v >> 32, back = v & 0xffffffffu;
    if (front >= back) return -1;
    const uint64_t next = from_front ? pack(front + 1, back) : pack(front, back - 1);
    if (s.span.compare_exchange_weak(v, next, std::memory_order_relaxed))
      return static_cast<int64_t>(from_front ? front : back - 1);
  }
}

constexpr int kMaxThreads = 64;

}  // namespace balanced_detail

// fn(begin, end) over disjoint ranges of at most `grain` indices covering [0, n).
template <typename Fn>
void balanced_for(ThreadPool& pool, int64_t n, int64_t grain, Fn&& fn) {
  using namespace balanced_detail;
  const int threads = pool.size();
  const int64_t grains = (n + grain - 1) / grain;
  if (threads == 1 || grains < 2 * threads || threads > kMaxThreads || grains > 0xffffffffLL) {
    pool.parallel_for(static_cast<size_t>(n), [&](size_t begin, size_t end, int) {
      fn(static_cast<int64_t>(begin), static_cast<int64_t>(end));
    });
    return;
  }
  Share shares[kMaxThreads];
  for (int t = 0; t < threads; ++t) {
    const int64_t first = grains * t / threads, last = grains * (t + 1) / threads;
    shares[t].span.store(pack(static_cast<uint64_t>(first), static_cast<uint64_t>(last)), std::memory_order_relaxed);
  }
  const auto run_grain = [&](int64_t g) { fn(g * grain, std::min(n, (g + 1) * grain)); };
  pool.parallel_for(static_cast<size_t>(threads), [&](size_t begin, size_t, int) {
    const int self = static_cast<int>(begin);
    for (int64_t g; (g = claim(shares[self], true)) >= 0;) run_grain(g);
    for (int k = 1; k < threads; ++k)
      for (int64_t g; (g = claim(shares[(self + k) % threads], false)) >= 0;) run_grain(g);
  });
}

}  // namespace slm
