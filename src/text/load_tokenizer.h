#pragma once
// Loads the tokenizer of a model given on the command line (a directory or a file).
#include <memory>
#include <string>

#include "text/tokenizer.h"

namespace slm {

// A directory holding tokenizer.json (+ tokenizer_config.json), a tokenizer.json file, or a
// .gguf file with an embedded vocabulary.
std::unique_ptr<Tokenizer> load_tokenizer(const std::string& model_path);

}  // namespace slm
