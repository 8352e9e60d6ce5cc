#pragma once
// Rewrites Q8_0 matrices into Q8_0x4 (four rows interleaved; tensor/quant/q8_0x4.h) in place,
// where the CPU has the kernels for it: decode streams them faster. Only tensors whose bytes
// are the process's own copy are touched, and only those no other tensor views part of.
#include <cstdint>

#include "base/thread_pool.h"
#include "formats/weight_store.h"

namespace slm {

// Returns the number of bytes rewritten.
int64_t interleave_for_decode(WeightStore& weights, ThreadPool& pool);

}  // namespace slm
