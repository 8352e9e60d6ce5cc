#include "base/huge_page_allocator.h"

#include <sys/mman.h>

#include <cstdint>

namespace slm {

namespace {
size_t round_up(size_t bytes) { return (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes; }
}  // namespace

// Over-maps by one huge page, then unmaps the unaligned head and the tail, so the block starts on
// a 2 MiB boundary and is exactly round_up(bytes) long.
void* huge_page_allocate(size_t bytes) {
  if (bytes < kHugePageBytes) return nullptr;
  const size_t size = round_up(bytes);
  void* raw = ::mmap(nullptr, size + kHugePageBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const auto base = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (base + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  if (aligned > base) ::munmap(raw, aligned - base);
  const uintptr_t end = base + size + kHugePageBytes;
  if (end > aligned + size) ::munmap(reinterpret_cast<void*>(aligned + size), end - (aligned + size));
  ::madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);
  return reinterpret_cast<void*>(aligned);
}

void huge_page_free(void* p, size_t bytes) { ::munmap(p, round_up(bytes)); }

}  // namespace slm
