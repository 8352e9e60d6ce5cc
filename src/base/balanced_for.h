#pragma once
// A parallel loop for work whose threads run at uneven speeds: decoding, where the threads
// share the memory bus and one often gets the larger part of it. Each thread starts on its own
// contiguous share, front to back; once through, it takes what is left of the other shares from
// their far ends. Claims are guided: half of what is left in the share, never less than `grain`,
// so a share goes in a few long runs (long prefetched streams) and the last claims are short
// (the threads finish within one short grain of each other).
// Which thread runs an index varies from run to run: use it only where the result of each index
// does not depend on which thread computes it.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "base/thread_pool.h"

namespace slm {

namespace balanced_detail {

// The indices [front, back) of a share not yet taken, packed in one word so a claim is one CAS.
struct alignas(64) Share {
  std::atomic<uint64_t> span{0};
};
inline uint64_t pack(uint64_t front, uint64_t back) { return front << 32 | back; }

struct Claim {
  int64_t begin = 0, end = 0;
};

// Half of what is left (at least `grain`, at most all of it) from the front (the owner) or the
// back (a helper); an empty claim when nothing is left.
inline Claim claim(Share& s, int64_t grain, bool from_front) {
  uint64_t v = s.span.load(std::memory_order_relaxed);
  for (;;) {
    const int64_t front = static_cast<int64_t>(v >> 32), back = static_cast<int64_t>(v & 0xffffffffu);
    if (front >= back) return {};
    const int64_t take = std::min(back - front, std::max(grain, (back - front) / 2));
    const uint64_t next = from_front ? pack(front + take, back) : pack(front, back - take);
    if (s.span.compare_exchange_weak(v, next, std::memory_order_relaxed))
      return from_front ? Claim{front, front + take} : Claim{back - take, back};
  }
}

constexpr int kMaxThreads = 64;

}  // namespace balanced_detail

// fn(begin, end) over disjoint ranges covering [0, n), none shorter than `grain` except where
// fewer indices are left.
template <typename Fn>
void balanced_for(ThreadPool& pool, int64_t n, int64_t grain, Fn&& fn) {
  using namespace balanced_detail;
  const int threads = pool.size();
  grain = std::max<int64_t>(1, grain);
  if (threads == 1 || n < 2 * threads * grain || threads > kMaxThreads || n > 0xffffffffLL) {
    pool.parallel_for(static_cast<size_t>(n), [&](size_t begin, size_t end, int) {
      fn(static_cast<int64_t>(begin), static_cast<int64_t>(end));
    });
    return;
  }
  Share shares[kMaxThreads];
  for (int t = 0; t < threads; ++t) {
    const int64_t first = n * t / threads, last = n * (t + 1) / threads;
    shares[t].span.store(pack(static_cast<uint64_t>(first), static_cast<uint64_t>(last)), std::memory_order_relaxed);
  }
  pool.parallel_for(static_cast<size_t>(threads), [&](size_t begin, size_t, int) {
    const int self = static_cast<int>(begin);
    for (Claim c; (c = claim(shares[self], grain, true)).end > c.begin;) fn(c.begin, c.end);
    for (int k = 1; k < threads; ++k)
      for (Claim c; (c = claim(shares[(self + k) % threads], grain, false)).end > c.begin;) fn(c.begin, c.end);
  });
}

}  // namespace slm
