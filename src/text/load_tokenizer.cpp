#include "text/load_tokenizer.h"

#include <filesystem>

#include "formats/gguf.h"
#include "formats/gguf_vocab_reader.h"
#include "slm/error.h"

namespace slm {

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& model_path) {
  namespace fs = std::filesystem;
  fs::path p(model_path);
  if (p.extension() == ".gguf") {
    if (!fs::exists(p)) throw Error(model_path + ": no such file or directory");
    return Tokenizer::from_gguf_vocab(read_gguf_vocab(GgufFile(model_path)));
  }
  if (fs::is_directory(p)) return Tokenizer::from_hf_dir(model_path);
  if (fs::is_regular_file(p) && p.filename() == "tokenizer.json") {
    fs::path cfg = p.parent_path() / "tokenizer_config.json";
    return Tokenizer::from_json_files(model_path, fs::exists(cfg) ? cfg.string() : std::string());
  }
  if (!fs::exists(p)) throw Error(model_path + ": no such file or directory");
  throw Error(model_path + ": not a model directory or tokenizer.json");
}

}  // namespace slm
