#include "hub/cache_layout.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "slm/error.h"

namespace fs = std::filesystem;

namespace slm::hub {
namespace {

bool all_hex(const std::string& s, size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string repo_folder_name(const std::string& repo_id) {
  std::string out = "models";
  size_t start = 0;
  while (true) {
    const size_t slash = repo_id.find('/', start);
    out += "--" + repo_id.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

std::string normalize_etag(const std::string& etag) {
  // huggingface_hub strips every leading 'W' and '/' then the quotes; do the same so both
  // tools name a blob identically.
  size_t b = 0;
  while (b < etag.size() && (etag[b] == 'W' || etag[b] == '/')) ++b;
  size_t e = etag.size();
  while (b < e && etag[b] == '"') ++b;
  while (e > b && etag[e - 1] == '"') --e;
  return etag.substr(b, e - b);
}

bool is_commit_hash(const std::string& s) { return all_hex(s, 40); }
bool is_sha256(const std::string& s) { return all_hex(s, 64); }

RepoCache::RepoCache(std::string cache_dir, std::string repo_id)
    : cache_dir_(std::move(cache_dir)), repo_id_(std::move(repo_id)) {}

std::string RepoCache::root() const { return cache_dir_ + "/" + repo_folder_name(repo_id_); }
std::string RepoCache::blob_path(const std::string& etag) const { return root() + "/blobs/" + etag; }
std::string RepoCache::snapshot_dir(const std::string& commit) const { return root() + "/snapshots/" + commit; }
std::string RepoCache::pointer_path(const std::string& commit, const std::string& file) const {
  return snapshot_dir(commit) + "/" + file;
}
std::string RepoCache::lock_path(const std::string& etag) const {
  return cache_dir_ + "/.locks/" + repo_folder_name(repo_id_) + "/" + etag + ".lock";
}

std::optional<std::string> RepoCache::cached_commit(const std::string& revision) const {
  if (is_commit_hash(revision)) return revision;
  const fs::path ref = fs::path(root()) / "refs" / revision;
  std::error_code ec;
  if (!fs::is_regular_file(ref, ec)) return std::nullopt;
  std::string commit = read_text(ref);
  while (!commit.empty() && (commit.back() == '\n' || commit.back() == '\r' || commit.back() == ' ')) commit.pop_back();
  if (commit.empty()) return std::nullopt;
  return commit;
}

void RepoCache::write_ref(const std::string& revision, const std::string& commit) const {
  if (revision == commit) return;
  const fs::path ref = fs::path(root()) / "refs" / revision;
  fs::create_directories(ref.parent_path());
  std::error_code ec;
  if (fs::is_regular_file(ref, ec) && read_text(ref) == commit) return;
  // Write then rename so a reader never sees a half-written hash.
  const fs::path tmp = ref.string() + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << commit;  // no newline: huggingface_hub writes the bare hash
    if (!out) throw Error(tmp.string() + ": cannot write");
  }
  fs::rename(tmp, ref);
}

void RepoCache::link_snapshot_file(const std::string& commit, const std::string& file, const std::string& etag) const {
  const fs::path pointer = pointer_path(commit, file);
  fs::create_directories(pointer.parent_path());
  std::string target = "../../";
  for (char c : file)
    if (c == '/') target += "../";
  target += "blobs/" + etag;
  std::error_code ec;
  if (fs::is_symlink(pointer, ec)) {
    if (fs::read_symlink(pointer, ec) == fs::path(target)) return;
    fs::remove(pointer, ec);
  } else if (fs::exists(pointer, ec)) {
    fs::remove(pointer, ec);
  }
  fs::create_symlink(target, pointer, ec);
  if (ec && !(fs::is_symlink(pointer) && fs::read_symlink(pointer) == fs::path(target)))
    throw Error(pointer.string() + ": cannot create symlink: " + ec.message());
}

std::vector<std::string> RepoCache::snapshot_files(const std::string& commit) const {
  std::vector<std::string> files;
  const fs::path dir = snapshot_dir(commit);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return files;
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->is_directory()) continue;
    if (!fs::exists(it->path(), ec)) continue;  // dangling link: its blob was removed
    files.push_back(it->path().lexically_relative(dir).generic_string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

FileLock::FileLock(const std::string& path) {
  fs::create_directories(fs::path(path).parent_path());
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error(path + ": cannot open lock file");
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno != EINTR) {
      ::close(fd_);
      throw Error(path + ": cannot lock");
    }
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
}

std::vector<CachedRepo> scan_cache(const std::string& cache_dir) {
  std::vector<CachedRepo> repos;
  std::error_code ec;
  if (!fs::is_directory(cache_dir, ec)) return repos;
  for (const auto& entry : fs::directory_iterator(cache_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name.rfind("models--", 0) != 0) continue;
    CachedRepo r;
    r.root = entry.path().string();
    // models--org--name -> org/name (names cannot contain "--", so the split is unambiguous)
    std::string rest = name.substr(8);
    for (size_t p; (p = rest.find("--")) != std::string::npos;) rest.replace(p, 2, "/");
    r.repo_id = rest;
    for (const auto& blob : fs::directory_iterator(entry.path() / "blobs", ec)) {
      if (!blob.is_regular_file()) continue;
      (blob.path().extension() == ".incomplete" ? r.partial_bytes : r.size_on_disk) += blob.file_size();
    }
    ec.clear();
    const fs::path refs = entry.path() / "refs";
    for (auto it = fs::recursive_directory_iterator(refs, ec); it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      if (!it->is_regular_file()) continue;
      r.refs.emplace_back(it->path().lexically_relative(refs).generic_string(), read_text(it->path()));
    }
    ec.clear();
    RepoCache cache(cache_dir, r.repo_id);
    for (const auto& snap : fs::directory_iterator(entry.path() / "snapshots", ec)) {
      r.snapshots.push_back(snap.path().filename().string());
      for (auto& f : cache.snapshot_files(r.snapshots.back()))
        if (std::find(r.files.begin(), r.files.end(), f) == r.files.end()) r.files.push_back(f);
    }
    ec.clear();
    std::sort(r.files.begin(), r.files.end());
    repos.push_back(std::move(r));
  }
  std::sort(repos.begin(), repos.end(), [](const CachedRepo& a, const CachedRepo& b) { return a.repo_id < b.repo_id; });
  return repos;
}

}  // namespace slm::hub
