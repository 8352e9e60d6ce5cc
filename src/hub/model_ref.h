#pragma once
// What the user typed for MODEL: a local path, or a Hub repository with an optional revision
// and, for GGUF repositories, a quantization tag.
//   ./dir  model.gguf  Qwen/Qwen3-0.6B  Qwen/Qwen3-0.6B@main  unsloth/Qwen3-0.6B-GGUF:Q4_K_M
#include <string>

namespace slm::hub {

struct ModelRef {
  bool local = true;
  std::string path;               // local: the path as given
  std::string repo_id;            // hub: "org/name"
  std::string revision = "main";  // hub: branch, tag or commit
  std::string quant;              // hub: GGUF quantization tag ("Q4_K_M"), "" when not given

  std::string display() const;  // "org/name:Q4_K_M@rev" as the user would write it
};

// A path that exists, or that looks like one (starts with / . ~ or ends in .gguf), is local.
// Anything else of the form org/name[:QUANT][@revision] names a Hub repository.
ModelRef parse_model_ref(const std::string& text);

// True when `id` is a syntactically valid Hub repository id ("org/name").
bool is_valid_repo_id(const std::string& id);

}  // namespace slm::hub
