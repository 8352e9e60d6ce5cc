#pragma once
// Some checkpoints fuse projections into one matrix (Phi-3: qkv_proj, gate_up_proj). Their row
// blocks are contiguous, so they become zero-copy views under the separate canonical names.
#include "formats/weight_store.h"
#include "model/config.h"

namespace slm {

void split_fused_projections(WeightStore& weights, const ModelConfig& config);

}  // namespace slm
