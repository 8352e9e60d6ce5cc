#pragma once
// The two largest activation buffers of a layer step, shared by its attention and its MLP:
// each block's are dead before the other runs, so a prefill holds the larger block's share
// only (Qwen3-0.6B, 512 tokens: 12 MiB instead of 20).
#include <vector>

namespace slm {

struct LayerBuffers {
  std::vector<float> a, b;  // attention: queries, output (K and V before it); MLP: gate, up
};

}  // namespace slm
