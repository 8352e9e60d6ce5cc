// slm quantize INPUT OUTPUT.gguf --type Q8_0|Q4_0|Q4_K_M|Q5_K_M|Q6_K|F16|F32 [--threads K] [--quiet]
//              [--no-tokenizer]
// INPUT is a Hugging Face model directory or a GGUF file (which may itself be quantized). From a
// directory the output also carries the tokenizer (tokenizer.json as tokenizer.ggml.*) and the
// chat template, so it runs on its own; --no-tokenizer writes the weights without them.
#include <cstdio>
#include <filesystem>
#include <optional>

#include "args.h"
#include "command.h"
#include "formats/gguf_model_writer.h"
#include "chat/model_template.h"
#include "formats/model_files.h"
#include "text/hf_vocab_export.h"

namespace slm::cli {
namespace {

int quantize_main(const std::vector<std::string>& argv) {
  Args args(argv);
  const std::string type = args.option("--type");
  const int threads = static_cast<int>(args.int_option("--threads", 0));
  const bool quiet = args.flag("--quiet");
  const bool no_tokenizer = args.flag("--no-tokenizer");
  auto pos = args.positionals();
  if (pos.size() != 2 || type.empty())
    throw Error("usage: slm quantize INPUT OUTPUT.gguf --type " + quant_scheme_names() + " [--no-tokenizer]");
  const auto scheme = parse_quant_scheme(type);
  if (!scheme) throw Error("unknown --type '" + type + "' (one of " + quant_scheme_names() + ")");

  auto files = open_model_files(pos[0]);
  ThreadPool pool(threads > 0 ? threads : ThreadPool::default_threads());
  ModelWriteOptions options;
  options.scheme = *scheme;
  options.copy_metadata_from = files->gguf.get();
  options.progress = !quiet;
  options.name = std::filesystem::path(pos[0]).filename().string();
  std::optional<GgufVocab> vocab;
  if (!files->hf_dir.empty() && !no_tokenizer) {
    // A GGUF without its tokenizer cannot be run by llama.cpp or slm: a missing or broken
    // tokenizer.json is an error (naming the file) unless the user opts out.
    try {
      vocab = gguf_vocab_from_hf_dir(files->hf_dir, files->config.vocab_size);
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + " (--no-tokenizer writes the GGUF without a tokenizer)");
    }
    const std::string mismatch = vocab_export_mismatch(*Tokenizer::from_hf_dir(files->hf_dir), *vocab);
    if (!mismatch.empty())
      std::fprintf(stderr, "warning: the GGUF tokenizer differs from %s/tokenizer.json: %s\n", files->hf_dir.c_str(),
                   mismatch.c_str());
    options.vocab = &*vocab;
    options.chat_template = find_chat_template_source(files->hf_dir);
  } else if (no_tokenizer && !quiet) {
    std::fprintf(stderr, "warning: --no-tokenizer: the GGUF has no tokenizer; llama.cpp and slm cannot run it alone\n");
  }
  write_gguf_model(pos[1], files->config, weight_store_source(files->weights), options, pool);
  if (!quiet) std::fprintf(stderr, "wrote %s (%s)\n", pos[1].c_str(), quant_scheme_name(*scheme));
  return 0;
}

CommandRegistration reg("quantize", "convert a model to a quantized GGUF", quantize_main);

}  // namespace
}  // namespace slm::cli
