// slm quantize INPUT OUTPUT.gguf --type Q8_0|Q4_0|Q4_K_M|Q5_K_M|Q6_K|F16|F32 [--threads K] [--quiet]
// INPUT is a Hugging Face model directory or a GGUF file (which may itself be quantized).
#include <cstdio>
#include <filesystem>

#include "args.h"
#include "command.h"
#include "formats/gguf_model_writer.h"
#include "formats/model_files.h"

namespace slm::cli {
namespace {

int quantize_main(const std::vector<std::string>& argv) {
  Args args(argv);
  const std::string type = args.option("--type");
  const int threads = static_cast<int>(args.int_option("--threads", 0));
  const bool quiet = args.flag("--quiet");
  auto pos = args.positionals();
  if (pos.size() != 2 || type.empty())
    throw Error("usage: slm quantize INPUT OUTPUT.gguf --type " + quant_scheme_names());
  const auto scheme = parse_quant_scheme(type);
  if (!scheme) throw Error("unknown --type '" + type + "' (one of " + quant_scheme_names() + ")");

  auto files = open_model_files(pos[0]);
  ThreadPool pool(threads > 0 ? threads : ThreadPool::default_threads());
  ModelWriteOptions options;
  options.scheme = *scheme;
  options.copy_metadata_from = files->gguf.get();
  options.progress = !quiet;
  options.name = std::filesystem::path(pos[0]).filename().string();
  write_gguf_model(pos[1], files->config, weight_store_source(files->weights), options, pool);
  if (!quiet) std::fprintf(stderr, "wrote %s (%s)\n", pos[1].c_str(), quant_scheme_name(*scheme));
  return 0;
}

CommandRegistration reg("quantize", "convert a model to a quantized GGUF", quantize_main);

}  // namespace
}  // namespace slm::cli
