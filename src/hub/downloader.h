#pragma once
// Fetching a model from the Hub into the shared cache: list the repository, pick the files the
// model needs, then HEAD each for its commit/etag/size and download what the cache lacks, in
// parallel, resuming partial blobs and verifying LFS files against their sha256.
#include <cstdint>
#include <string>
#include <vector>

#include "hub/hub_settings.h"
#include "hub/model_ref.h"

namespace slm::hub {

struct PullResult {
  std::string repo_id;
  std::string commit;
  std::string snapshot_dir;
  std::string model_path;          // the snapshot dir (safetensors) or the first .gguf file
  std::vector<std::string> files;  // repository paths now in the snapshot
  int files_downloaded = 0;
  int64_t bytes_downloaded = 0;
};

struct PullOptions {
  bool quiet = false;  // no progress output
};

PullResult pull_model(const ModelRef& ref, const HubSettings& settings, const PullOptions& options = {});

// The Hub's list of files at a revision, and the commit it resolves to.
struct RepoListing {
  std::string commit;
  std::vector<std::string> files;
};
RepoListing list_repo_files(const std::string& repo_id, const std::string& revision, const HubSettings& settings);

// Downloads one file of a repository into the cache (or finds it there) and returns its
// snapshot path. Used by `slm fit` to fetch config.json alone.
std::string fetch_repo_file(const std::string& repo_id, const std::string& revision, const std::string& file,
                            const HubSettings& settings);

}  // namespace slm::hub
