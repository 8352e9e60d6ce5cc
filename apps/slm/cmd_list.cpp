// slm list [--json]: the models in the Hugging Face cache, with sizes, formats and quantizations.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "args.h"
#include "command.h"
#include "hub/cache_layout.h"
#include "hub/file_selection.h"
#include "hub/hub_settings.h"
#include "hub/progress.h"

namespace slm::cli {
namespace {

std::vector<std::string> formats_of(const std::vector<std::string>& files) {
  std::vector<std::string> out;
  auto any = [&](const char* suffix) {
    const std::string s(suffix);
    return std::any_of(files.begin(), files.end(), [&](const std::string& f) {
      return f.size() >= s.size() && f.compare(f.size() - s.size(), s.size(), s) == 0;
    });
  };
  if (any(".safetensors")) out.push_back("safetensors");
  if (any(".gguf")) out.push_back("gguf");
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s.empty() ? "-" : s;
}

int list_main(const std::vector<std::string>& argv) {
  Args args(argv);
  const bool json_out = args.flag("--json");
  if (!args.positionals().empty()) throw Error("usage: slm list [--json]");
  const auto settings = hub::HubSettings::from_env();
  const auto repos = hub::scan_cache(settings.cache_dir);
  if (json_out) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : repos) {
      nlohmann::json refs = nlohmann::json::object();
      for (const auto& [rev, commit] : r.refs) refs[rev] = commit;
      arr.push_back({{"id", r.repo_id}, {"path", r.root}, {"size_bytes", r.size_on_disk}, {"partial_bytes", r.partial_bytes},
                     {"formats", formats_of(r.files)}, {"quantizations", hub::gguf_quant_tags(r.files)},
                     {"refs", refs}, {"snapshots", r.snapshots}, {"files", r.files}});
    }
    std::printf("%s\n", nlohmann::json{{"cache_dir", settings.cache_dir}, {"models", arr}}.dump(2).c_str());
    return 0;
  }
  if (repos.empty()) {
    std::printf("no models in %s (download one with `slm pull ORG/NAME`)\n", settings.cache_dir.c_str());
    return 0;
  }
  std::printf("%-48s %10s  %-18s %s\n", "MODEL", "SIZE", "FORMATS", "QUANTIZATIONS");
  for (const auto& r : repos)
    std::printf("%-48s %10s  %-18s %s%s\n", r.repo_id.c_str(), hub::human_bytes(static_cast<double>(r.size_on_disk)).c_str(),
                join(formats_of(r.files)).c_str(), join(hub::gguf_quant_tags(r.files)).c_str(),
                r.partial_bytes ? ("  (+" + hub::human_bytes(static_cast<double>(r.partial_bytes)) + " partial)").c_str() : "");
  std::printf("cache: %s\n", settings.cache_dir.c_str());
  return 0;
}

CommandRegistration reg("list", "list the models in the Hugging Face cache", list_main);

}  // namespace
}  // namespace slm::cli
