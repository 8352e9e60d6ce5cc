// slm pull REF [--token T] [--quiet]: download a model from the Hugging Face Hub into the shared cache.
#include <cstdio>

#include "args.h"
#include "command.h"
#include "hub/downloader.h"
#include "hub/progress.h"

namespace slm::cli {
namespace {

int pull_main(const std::vector<std::string>& argv) {
  Args args(argv);
  const std::string token = args.option("--token");
  const bool quiet = args.flag("--quiet");
  auto pos = args.positionals();
  if (pos.size() != 1) throw Error("usage: slm pull ORG/NAME[@REVISION] | ORG/NAME-GGUF:QUANT [--token T] [--quiet]");
  const hub::ModelRef ref = hub::parse_model_ref(pos[0]);
  if (ref.local) throw Error("'" + pos[0] + "' is not a Hub model id (expected ORG/NAME[:QUANT][@REVISION])");
  hub::HubSettings settings = hub::HubSettings::from_env();
  if (!token.empty()) settings.token = token;
  hub::PullOptions options;
  options.quiet = quiet;
  const hub::PullResult r = hub::pull_model(ref, settings, options);
  if (!quiet)
    std::fprintf(stderr, "slm: %s at %s: %zu files, %d downloaded (%s)\n", ref.display().c_str(), r.commit.substr(0, 12).c_str(),
                 r.files.size(), r.files_downloaded, hub::human_bytes(static_cast<double>(r.bytes_downloaded)).c_str());
  std::printf("%s\n", r.model_path.c_str());
  return 0;
}

CommandRegistration reg("pull", "download a model from the Hugging Face Hub into the cache", pull_main);

}  // namespace
}  // namespace slm::cli
