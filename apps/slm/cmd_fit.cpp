// slm fit MODEL [--ctx N] [--ram 8G] [--json] [--token T]: the memory a model needs at each common
// quantization and which fits this machine; for a Hub id only config.json is fetched.
#include <cstdio>
#include <filesystem>

#include "args.h"
#include "command.h"
#include "formats/model_files.h"
#include "hub/catalog.h"
#include "hub/downloader.h"
#include "hub/fit.h"
#include "hub/model_ref.h"

namespace fs = std::filesystem;

namespace slm::cli {
namespace {

hub::ArchShape shape_for(const std::string& text, const std::string& token) {
  const hub::ModelRef ref = hub::parse_model_ref(text);
  if (ref.local) {
    if (fs::is_directory(ref.path)) return hub::read_arch_shape_file(ref.path + "/config.json");
    if (ref.path.size() > 5 && ref.path.compare(ref.path.size() - 5, 5, ".json") == 0) return hub::read_arch_shape_file(ref.path);
    return hub::arch_shape_from_config(open_model_files(ref.path)->config);
  }
  hub::HubSettings settings = hub::HubSettings::from_env();
  if (!token.empty()) settings.token = token;
  std::string repo = ref.repo_id, revision = ref.revision;
  // GGUF repositories carry no config.json: read the original model's when the catalog knows it.
  if (const auto* entry = hub::find_catalog_entry_by_gguf_repo(repo)) {
    repo = entry->hf_id;
    revision = "main";
  }
  try {
    return hub::read_arch_shape_file(hub::fetch_repo_file(repo, revision, "config.json", settings));
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.find("not found") == std::string::npos) throw;
    throw Error(what + "; slm fit reads config.json, so for a GGUF-only repository name the original Transformers "
                       "repository instead (see `slm models`)");
  }
}

int fit_main(const std::vector<std::string>& argv) {
  Args args(argv);
  const long long ctx_arg = args.int_option("--ctx", 0);
  const std::string ram_arg = args.option("--ram");
  const std::string token = args.option("--token");
  const bool json_out = args.flag("--json");
  auto pos = args.positionals();
  if (pos.size() != 1) throw Error("usage: slm fit MODEL [--ctx N] [--ram 8G] [--json]");
  if (ctx_arg < 0) throw Error("--ctx must be positive");

  const hub::ArchShape shape = shape_for(pos[0], token);
  const int64_t ctx = ctx_arg > 0 ? ctx_arg : std::min<int64_t>(shape.max_positions > 0 ? shape.max_positions : 4096, 4096);
  const int64_t ram = ram_arg.empty() ? hub::available_ram_bytes() : hub::parse_ram_size(ram_arg);
  const auto report = hub::make_fit_report(shape, ctx, ram, ram_arg.empty() ? "MemAvailable" : "--ram");
  std::printf("%s", json_out ? (hub::fit_report_json(report, pos[0]) + "\n").c_str()
                             : hub::format_fit_report(report, pos[0]).c_str());
  return 0;
}

CommandRegistration reg("fit", "memory needed per quantization and what fits this machine", fit_main);

}  // namespace
}  // namespace slm::cli
