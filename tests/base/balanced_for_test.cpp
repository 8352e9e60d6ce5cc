// balanced_for covers every index exactly once for any thread count, in few ranges (guided: half
// of what is left), and a thread held up at the start has its share taken over by the others.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <chrono>
#include <thread>
#include <vector>

#include "base/balanced_for.h"

namespace slm {
namespace {

TEST(BalancedFor, CoversEveryIndexOnce) {
  for (int threads : {1, 2, 3, 5})
    for (int64_t n : {0, 1, 7, 64, 1000, 4099})
      for (int64_t grain : {1, 4, 16, 64}) {
        ThreadPool pool(threads);
        std::vector<std::atomic<int>> seen(static_cast<size_t>(n));
        std::atomic<int> calls{0}, short_ranges{0};
        balanced_for(pool, n, grain, [&](int64_t begin, int64_t end) {
          calls.fetch_add(1);
          if (end - begin < grain) short_ranges.fetch_add(1);
          for (int64_t i = begin; i < end; ++i) seen[i].fetch_add(1);
        });
        for (int64_t i = 0; i < n; ++i)
          ASSERT_EQ(seen[i].load(), 1) << "index " << i << " n " << n << " grain " << grain << " threads " << threads;
        if (threads > 1 && n >= 2 * threads * grain) {
          // Halving: about log2(share / grain) + 1 claims per share, once by its owner and once
          // more at most for what others took; only a share's last piece may be short.
          int log2 = 0;
          while ((int64_t{1} << log2) * grain < n) ++log2;
          EXPECT_LE(calls.load(), 2 * threads * (log2 + 2)) << "n " << n << " grain " << grain;
          EXPECT_LE(short_ranges.load(), threads) << "n " << n << " grain " << grain;
        }
      }
}

TEST(BalancedFor, OthersTakeOverASlowThreadsShare) {
  ThreadPool pool(2);
  const int64_t n = 64;
  std::vector<std::thread::id> who(n);
  std::atomic<bool> first{true};
  balanced_for(pool, n, 1, [&](int64_t begin, int64_t end) {
    // Whichever thread starts first stalls on its first claim (half its share, 16 indices):
    // the other must run everything else.
    if (first.exchange(false)) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    for (int64_t i = begin; i < end; ++i) who[i] = std::this_thread::get_id();
  });
  std::map<std::thread::id, int> count;
  for (const auto& id : who) ++count[id];
  ASSERT_EQ(count.size(), 2u);
  int most = 0;
  for (const auto& [id, c] : count) most = std::max(most, c);
  EXPECT_EQ(most, 48) << "the fast thread should have taken the rest of the slow one's share";
}

}  // namespace
}  // namespace slm
