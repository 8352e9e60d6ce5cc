#pragma once
// Tensors as llama.cpp's converter lays them out in a GGUF, from the canonical tensors slm loads
// (a Hugging Face directory or a GGUF): (1 + w) norms stored as 1 + w, fused projections fused
// again (Phi-3), AltUp matrices stacked and the per-layer table padded (Gemma 3n), Gated DeltaNet
// tensors renamed, -exp(A_log), value heads in tiled order (Qwen3.5), LongRoPE factor tensors.
// The Q/K row permutation stays in the writer (it needs the quantized row order).
#include "formats/gguf_model_writer.h"
#include "model/config.h"

namespace slm {

ModelTensorSource gguf_layout_source(const ModelConfig& config, const ModelTensorSource& canonical);

}  // namespace slm
