#pragma once
// Read bandwidth of this machine, measured on memory the caller names (e.g. a model's weights,
// so the figure is the one that bounds generation speed: every weight is read once per token).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/thread_pool.h"

namespace slm {

// Streams every region once per pass on all of the pool's threads; returns the best pass's
// bytes per second.
double measure_read_bandwidth(const std::vector<std::span<const uint8_t>>& regions, ThreadPool& pool,
                              int passes = 3);

}  // namespace slm
