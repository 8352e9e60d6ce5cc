#pragma once
// A std::allocator replacement for large buffers that are streamed once per token (the KV cache):
// allocations of 2 MiB or more come from anonymous memory aligned to 2 MiB and advised to use
// huge pages. The hardware prefetchers stop at every 4 KiB page boundary and each 4 KiB page
// costs a TLB walk, so a cache read from 4 KiB pages reaches well below the memory bandwidth.
// Smaller allocations use operator new. Memory is zero-filled either way by the vector itself.
#include <cstddef>
#include <new>

namespace slm {

// 2 MiB-aligned anonymous memory advised to use huge pages; nullptr below kHugePageBytes or when
// the mapping fails. Free with huge_page_free and the same byte count.
void* huge_page_allocate(size_t bytes);
void huge_page_free(void* p, size_t bytes);
constexpr size_t kHugePageBytes = size_t{2} << 20;

template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes >= kHugePageBytes) {
      if (void* p = huge_page_allocate(bytes)) return static_cast<T*>(p);
      throw std::bad_alloc();
    }
    return static_cast<T*>(::operator new(bytes, std::align_val_t{64}));
  }
  void deallocate(T* p, size_t n) noexcept {
    const size_t bytes = n * sizeof(T);
    if (bytes >= kHugePageBytes) huge_page_free(p, bytes);
    else ::operator delete(p, std::align_val_t{64});
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const noexcept { return true; }
};

}  // namespace slm
