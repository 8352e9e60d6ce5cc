#pragma once
// The huggingface_hub cache layout, shared with transformers:
//   {cache}/models--{org}--{name}/blobs/{etag}            file contents (etag = sha256 for LFS files)
//   {cache}/models--{org}--{name}/snapshots/{commit}/{path} relative symlinks into blobs/
//   {cache}/models--{org}--{name}/refs/{revision}          the commit hash the revision pointed to
//   {cache}/.locks/models--{org}--{name}/{etag}.lock       held while a blob is being written
// Partial blobs are written to blobs/{etag}.incomplete and renamed when complete.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace slm::hub {

// "models--org--name"
std::string repo_folder_name(const std::string& repo_id);
// The etag header as a file name: without a leading "W/" or surrounding quotes.
std::string normalize_etag(const std::string& etag);
// 40 lowercase hex digits.
bool is_commit_hash(const std::string& s);
// 64 lowercase hex digits.
bool is_sha256(const std::string& s);

class RepoCache {
 public:
  RepoCache(std::string cache_dir, std::string repo_id);

  const std::string& repo_id() const { return repo_id_; }
  std::string root() const;  // {cache}/models--org--name
  std::string blob_path(const std::string& etag) const;
  std::string snapshot_dir(const std::string& commit) const;
  std::string pointer_path(const std::string& commit, const std::string& file) const;
  std::string lock_path(const std::string& etag) const;

  // The commit a revision resolves to from the cache alone: the revision itself when it is a
  // commit hash, else the content of refs/{revision}.
  std::optional<std::string> cached_commit(const std::string& revision) const;
  // Records refs/{revision} = commit (nothing for a commit hash, nothing when unchanged).
  void write_ref(const std::string& revision, const std::string& commit) const;
  // snapshots/{commit}/{file} -> ../../blobs/{etag} (relative, one ../ per directory level).
  void link_snapshot_file(const std::string& commit, const std::string& file, const std::string& etag) const;
  // Files present in a snapshot, relative paths with '/', sorted.
  std::vector<std::string> snapshot_files(const std::string& commit) const;

 private:
  std::string cache_dir_, repo_id_;
};

// Holds an exclusive flock on a lock file for the lifetime of the object.
class FileLock {
 public:
  explicit FileLock(const std::string& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

struct CachedRepo {
  std::string repo_id;
  std::string root;
  uint64_t size_on_disk = 0;  // complete blobs
  uint64_t partial_bytes = 0; // interrupted downloads (blobs/*.incomplete), resumed by the next pull
  std::vector<std::pair<std::string, std::string>> refs;  // revision -> commit
  std::vector<std::string> snapshots;                     // commit hashes
  std::vector<std::string> files;                          // union over snapshots
};

// Every model repository in the cache (datasets and spaces are skipped).
std::vector<CachedRepo> scan_cache(const std::string& cache_dir);

}  // namespace slm::hub
