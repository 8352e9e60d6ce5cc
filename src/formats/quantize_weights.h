#pragma once
// Quantizes the weights of an opened model in memory (slm run --quant), with the same per-tensor
// choices as `slm quantize`. Tensors already of the chosen type are left as they are.
#include "base/thread_pool.h"
#include "formats/quant_scheme.h"
#include "formats/weight_store.h"
#include "model/config.h"

namespace slm {

void quantize_weights(WeightStore& weights, const ModelConfig& config, QuantScheme scheme, ThreadPool& pool);

}  // namespace slm
