// slm rm REF: remove a model from the Hugging Face cache. With a quantization tag
// (org/name-GGUF:Q4_K_M) only that quantization's files go; blobs still linked elsewhere stay.
#include <cstdio>
#include <filesystem>
#include <set>

#include "args.h"
#include "command.h"
#include "hub/cache_layout.h"
#include "hub/file_selection.h"
#include "hub/hub_settings.h"
#include "hub/model_ref.h"
#include "hub/progress.h"

namespace fs = std::filesystem;

namespace slm::cli {
namespace {

uint64_t tree_size(const fs::path& dir) {
  uint64_t n = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator(); it.increment(ec))
    if (!ec && it->is_regular_file(ec) && !it->is_symlink(ec)) n += it->file_size(ec);
  return n;
}

// Removes the given snapshot files, then every blob no snapshot links to any more.
uint64_t remove_files(const hub::RepoCache& cache, const std::vector<std::string>& commits,
                      const std::vector<std::string>& files) {
  for (const auto& c : commits)
    for (const auto& f : files) {
      std::error_code ec;
      fs::remove(cache.pointer_path(c, f), ec);
    }
  std::set<std::string> linked;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(fs::path(cache.root()) / "snapshots", ec);
       it != fs::recursive_directory_iterator(); it.increment(ec))
    if (!ec && it->is_symlink(ec)) linked.insert(fs::read_symlink(it->path(), ec).filename().string());
  uint64_t freed = 0;
  for (const auto& blob : fs::directory_iterator(fs::path(cache.root()) / "blobs", ec)) {
    const std::string name = blob.path().filename().string();
    if (name.size() > 11 && name.compare(name.size() - 11, 11, ".incomplete") == 0) continue;
    if (linked.count(name)) continue;
    freed += blob.file_size(ec);
    fs::remove(blob.path(), ec);
  }
  return freed;
}

int rm_main(const std::vector<std::string>& argv) {
  Args args(argv);
  auto pos = args.positionals();
  if (pos.size() != 1) throw Error("usage: slm rm ORG/NAME[:QUANT]");
  const hub::ModelRef ref = hub::parse_model_ref(pos[0]);
  if (ref.local) throw Error("'" + pos[0] + "' is not a Hub model id; slm rm only removes models from the cache");
  const auto settings = hub::HubSettings::from_env();
  hub::RepoCache cache(settings.cache_dir, ref.repo_id);
  if (!fs::is_directory(cache.root())) throw Error(ref.repo_id + " is not in the cache at " + settings.cache_dir);

  if (ref.quant.empty()) {
    const uint64_t size = tree_size(cache.root());
    fs::remove_all(cache.root());
    std::error_code ec;
    fs::remove_all(fs::path(settings.cache_dir) / ".locks" / hub::repo_folder_name(ref.repo_id), ec);
    std::printf("removed %s (%s)\n", ref.repo_id.c_str(), hub::human_bytes(static_cast<double>(size)).c_str());
    return 0;
  }
  std::vector<std::string> commits, selected;
  std::error_code ec;
  for (const auto& snap : fs::directory_iterator(fs::path(cache.root()) / "snapshots", ec)) {
    const std::string commit = snap.path().filename().string();
    commits.push_back(commit);
    try {
      for (const auto& f : hub::select_gguf_files(cache.snapshot_files(commit), ref.quant, ref.repo_id)) selected.push_back(f);
    } catch (const Error&) {
    }
  }
  if (selected.empty()) throw Error(ref.display() + ": no cached files for quantization " + ref.quant);
  const uint64_t freed = remove_files(cache, commits, selected);
  std::printf("removed %s (%zu files, %s)\n", ref.display().c_str(), selected.size(),
              hub::human_bytes(static_cast<double>(freed)).c_str());
  return 0;
}

CommandRegistration reg("rm", "remove a model (or one GGUF quantization) from the cache", rm_main);

}  // namespace
}  // namespace slm::cli
