#pragma once
// A decoder step may carry several sequences: each owns a contiguous run of the step's token
// rows and its own KV cache. Matrix products run over all rows; attention and recurrent state
// per segment.
#include <cstdint>

#include "model/kv_cache.h"

namespace slm {

struct Segment {
  int64_t offset;   // first row of the step's activations
  int64_t count;    // tokens
  int64_t pos0;     // position of the first token in its sequence
  KVCache* cache;
};

}  // namespace slm
