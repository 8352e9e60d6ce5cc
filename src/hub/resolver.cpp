#include "hub/resolver.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hub/cache_layout.h"
#include "hub/downloader.h"
#include "hub/file_selection.h"
#include "slm/error.h"

namespace fs = std::filesystem;

namespace slm {
namespace hub {
namespace {

bool has(const std::vector<std::string>& files, const std::string& f) {
  return std::find(files.begin(), files.end(), f) != files.end();
}

// config.json and the weights it needs: model.safetensors, or every shard the index names.
bool hf_snapshot_complete(const std::string& dir, const std::vector<std::string>& files) {
  if (!has(files, "config.json")) return false;
  if (has(files, "model.safetensors.index.json")) {
    try {
      std::ifstream in(dir + "/model.safetensors.index.json");
      const auto index = nlohmann::json::parse(in);
      for (const auto& [tensor, shard] : index.at("weight_map").items())
        if (!has(files, shard.get<std::string>())) return false;
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }
  for (const auto& f : files)
    if (f.find('/') == std::string::npos && f.size() > 12 && f.compare(f.size() - 12, 12, ".safetensors") == 0) return true;
  return false;
}

}  // namespace

std::optional<std::string> find_cached_model(const ModelRef& ref, const HubSettings& s) {
  RepoCache cache(s.cache_dir, ref.repo_id);
  const auto commit = cache.cached_commit(ref.revision);
  if (!commit) return std::nullopt;
  const std::string dir = cache.snapshot_dir(*commit);
  const auto files = cache.snapshot_files(*commit);
  if (files.empty()) return std::nullopt;
  if (!ref.quant.empty() || is_gguf_repo(files)) {
    try {
      const auto parts = select_gguf_files(files, ref.quant, ref.repo_id);
      // A split file is usable only with all its parts: "-00001-of-00003" says how many.
      const std::string& first = parts.front();
      const size_t of = first.rfind("-of-");
      if (of != std::string::npos && first.size() >= of + 9) {
        try {
          if (static_cast<size_t>(std::stoi(first.substr(of + 4, 5))) != parts.size()) return std::nullopt;
        } catch (const std::exception&) {
        }
      }
      return dir + "/" + first;
    } catch (const std::exception&) {
      return std::nullopt;  // that quantization is not cached
    }
  }
  if (hf_snapshot_complete(dir, files)) return dir;
  return std::nullopt;
}

}  // namespace hub

std::string resolve_model_path(const std::string& text) {
  const hub::ModelRef ref = hub::parse_model_ref(text);
  if (ref.local) return ref.path;
  const hub::HubSettings settings = hub::HubSettings::from_env();
  if (auto cached = hub::find_cached_model(ref, settings)) return *cached;
  if (settings.offline)
    throw Error(ref.display() + " is not in the Hugging Face cache at " + settings.cache_dir +
                " and HF_HUB_OFFLINE is set; download it first with `slm pull " + ref.display() +
                "` while online (or point HF_HUB_CACHE at a cache that has it)");
  try {
    return hub::pull_model(ref, settings).model_path;
  } catch (const Error& e) {
    // "org/name" may also have been meant as a relative path.
    throw Error(std::string(e.what()) + " (no local path '" + text +
                "' exists either). To run a model you already have, give its directory or .gguf file, e.g. "
                "`slm run ./Qwen3-0.6B -p \"Hi\"` or `slm run model.gguf -p \"Hi\"`");
  }
}

}  // namespace slm
