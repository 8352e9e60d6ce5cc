#pragma once
// Opening a model: a Hugging Face directory (config.json + safetensors) or a .gguf file,
// giving one ModelConfig and one WeightStore under canonical names for either.
#include <memory>
#include <string>

#include "formats/gguf.h"
#include "formats/weight_store.h"
#include "model/config.h"

namespace slm {

struct ModelFiles {
  ModelConfig config;
  WeightStore weights;
  std::string path;                   // what the user named
  std::string hf_dir;                 // the directory, for HF models ("" for GGUF)
  std::shared_ptr<const GgufFile> gguf;  // the file, for GGUF models (its vocabulary, template)
};

// Detects the format. Throws slm::Error naming the file and field for anything malformed.
// A GGUF's weights are used in place; `gguf_residency` says whether they are mapped or read
// into the process's memory (see base/mapped_file.h). Safetensors are always mapped.
std::unique_ptr<ModelFiles> open_model_files(const std::string& path, Residency gguf_residency = Residency::kMapped);
std::unique_ptr<ModelFiles> open_hf_dir(const std::string& dir);
std::unique_ptr<ModelFiles> open_gguf(const std::string& path, Residency residency = Residency::kMapped);

// Reads config.json alone into a ModelConfig (no weights).
ModelConfig read_hf_config(const std::string& config_json_path);

}  // namespace slm
