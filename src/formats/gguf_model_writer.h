#pragma once
// Writes a decoder model as a llama.cpp-compatible GGUF: hyper-parameters under "<arch>.*",
// tensors under their canonical (= llama.cpp) names, each quantized per the scheme, Q/K rows
// permuted back for the families whose GGUF files store them permuted. Tensors are produced
// one at a time, row by row, so the f32 model is never held in memory.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/thread_pool.h"
#include "formats/gguf.h"
#include "formats/quant_scheme.h"
#include "formats/weight_store.h"
#include "model/config.h"
#include "text/gguf_vocab.h"

namespace slm {

struct TensorSpec {
  std::string name;            // canonical name
  std::vector<int64_t> shape;  // outermost first
};

// Where the f32 values come from: row r (Hugging Face row order) of tensor i, shape.back() values.
struct ModelTensorSource {
  std::vector<TensorSpec> tensors;
  std::function<void(size_t tensor, int64_t row, float* dst)> read_row;
};

// A source reading (and dequantizing) the tensors of a WeightStore.
ModelTensorSource weight_store_source(const WeightStore& weights);

struct ModelWriteOptions {
  QuantScheme scheme = QuantScheme::Q8_0;
  const GgufFile* copy_metadata_from = nullptr;  // a GGUF input: its tokenizer.* and general.* keys
  bool progress = false;                         // progress bar on stderr
  std::string name;                              // general.name, when not copied
  const GgufVocab* vocab = nullptr;              // written as tokenizer.ggml.* when not copied
  std::optional<std::string> chat_template;      // tokenizer.chat_template when not copied
};

void write_gguf_model(const std::string& path, const ModelConfig& config, const ModelTensorSource& source,
                      const ModelWriteOptions& options, ThreadPool& pool);

}  // namespace slm
