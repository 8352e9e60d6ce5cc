// HugePageAllocator: large blocks start on a 2 MiB boundary (what lets the kernel back them with
// huge pages), small ones come from the ordinary heap, and vectors using it copy and grow as usual.
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <vector>

#include "base/huge_page_allocator.h"

namespace slm {
namespace {

TEST(HugePageAllocator, LargeBlocksAreAlignedToHugePages) {
  for (size_t bytes : {kHugePageBytes, kHugePageBytes + 1, 3 * kHugePageBytes + 4096}) {
    void* p = huge_page_allocate(bytes);
    ASSERT_NE(p, nullptr) << bytes;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % kHugePageBytes, 0u) << bytes;
    static_cast<uint8_t*>(p)[bytes - 1] = 1;  // the whole request is writable
    huge_page_free(p, bytes);
  }
  EXPECT_EQ(huge_page_allocate(kHugePageBytes - 1), nullptr);  // below a huge page: the heap's job
}

TEST(HugePageAllocator, VectorsCopyAndGrow) {
  std::vector<int32_t, HugePageAllocator<int32_t>> small(100), large(kHugePageBytes / 4 + 10);
  std::iota(small.begin(), small.end(), 0);
  std::iota(large.begin(), large.end(), 0);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(large.data()) % kHugePageBytes, 0u);
  auto copy = large;
  EXPECT_EQ(copy, large);
  EXPECT_NE(copy.data(), large.data());
  small.resize(kHugePageBytes / 2);  // crosses from the heap to huge-page memory
  EXPECT_EQ(small[99], 99);
  EXPECT_EQ(small.back(), 0);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(small.data()) % kHugePageBytes, 0u);
}

}  // namespace
}  // namespace slm
