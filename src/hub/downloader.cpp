#include "hub/downloader.h"

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <set>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "hub/cache_layout.h"
#include "hub/file_selection.h"
#include "hub/http_client.h"
#include "hub/hub_errors.h"
#include "hub/progress.h"
#include "hub/resolver.h"
#include "hub/sha256.h"

namespace fs = std::filesystem;

namespace slm::hub {
namespace {

constexpr int kTransferAttempts = 5;  // a dropped connection resumes with Range this many times
constexpr int kMetadataRetries = 2;   // extra tries of a HEAD or API call on 429/5xx or a failed connection

// Metadata requests are retried with a short backoff when the Hub is overloaded or the
// connection fails, so one hiccup does not abort a long pull.
template <class Request>
HttpResponse with_retries(Request request) {
  for (int attempt = 0;; ++attempt) {
    const auto backoff = std::chrono::milliseconds(250 << attempt);
    try {
      HttpResponse r = request();
      if ((r.status == 429 || r.status >= 500) && attempt < kMetadataRetries) {
        std::this_thread::sleep_for(backoff);
        continue;
      }
      return r;
    } catch (const TransportError&) {
      if (attempt >= kMetadataRetries) throw;
      std::this_thread::sleep_for(backoff);
    }
  }
}

// What a HEAD on resolve/{commit}/{file} tells about one file.
struct FileMeta {
  std::string path;  // in the repository
  std::string commit, etag;
  int64_t size = -1;
  bool cached = false;
};

std::string resolve_url(const HubSettings& s, const std::string& repo, const std::string& rev, const std::string& file) {
  return s.endpoint + "/" + repo + "/resolve/" + url_encode_segment(rev) + "/" + url_encode_path(file);
}

// Runs fn(i) for i in [0, n) on up to `threads` threads; rethrows the first failure.
template <class Fn>
void parallel_for(size_t n, int threads, Fn fn) {
  std::atomic<size_t> next{0};
  std::exception_ptr failure;
  std::mutex mu;
  auto worker = [&] {
    for (size_t i; (i = next++) < n;) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (failure) return;
      }
      try {
        fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!failure) failure = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  const size_t count = std::min<size_t>(n, static_cast<size_t>(std::max(1, threads)));
  for (size_t t = 1; t < count; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

int64_t file_size_or_zero(const std::string& path) {
  std::error_code ec;
  const auto n = fs::file_size(path, ec);
  return ec ? 0 : static_cast<int64_t>(n);
}

FileMeta head_file(const HttpClient& http, const HubSettings& s, const std::string& repo, const std::string& commit,
                   const std::string& file) {
  std::string url = resolve_url(s, repo, commit, file);
  HttpResponse r = with_retries([&] { return http.head(url); });
  // A renamed repository answers with a relative redirect to its new name: follow that one
  // (the CDN redirect of LFS files is absolute and carries the metadata already).
  for (int hops = 0; hops < 5 && r.status >= 300 && r.status < 400 && r.header("x-repo-commit").empty(); ++hops) {
    const std::string loc = r.header("location");
    if (loc.empty() || loc[0] != '/') break;
    url = s.endpoint + loc;
    r = with_retries([&] { return http.head(url); });
  }
  check_hub_status(r, repo, file, s.endpoint, !s.token.empty());
  FileMeta m;
  m.path = file;
  m.commit = r.header("x-repo-commit");
  std::string etag = r.header("x-linked-etag");
  if (etag.empty()) etag = r.header("etag");
  m.etag = normalize_etag(etag);
  std::string size = r.header("x-linked-size");
  if (size.empty()) size = r.header("content-length");
  try {
    m.size = size.empty() ? -1 : std::stoll(size);
  } catch (const std::exception&) {
    m.size = -1;
  }
  if (m.commit.empty()) throw Error(repo + "/" + file + ": the server sent no X-Repo-Commit header; is " + s.endpoint + " a Hugging Face Hub?");
  if (m.etag.empty()) throw Error(repo + "/" + file + ": the server sent no ETag, so the file cannot be cached safely");
  if (m.etag.find('/') != std::string::npos || m.etag == "." || m.etag == "..")
    throw Error(repo + "/" + file + ": unusable ETag '" + m.etag + "'");
  return m;
}

// Feeds a sha256 with the bytes of the partial blob as they reach the disk, so verifying a
// multi-gigabyte file costs no second read. Whenever its state may not match the file (a resumed
// file from an earlier run, a truncation) it starts over from the file itself.
class PartialHash {
 public:
  explicit PartialHash(std::string path) : path_(std::move(path)) {}
  void append(const char* data, size_t n) {
    hash_.update(data, n);
    hashed_ += static_cast<int64_t>(n);
  }
  void reset() {
    hash_ = Sha256();
    hashed_ = 0;
  }
  // Makes the state cover exactly the `size` bytes now in the file.
  void sync(int64_t size) {
    if (hashed_ == size) return;
    reset();
    std::ifstream in(path_, std::ios::binary);
    std::vector<char> buf(1 << 20);
    while (hashed_ < size) {
      in.read(buf.data(), static_cast<std::streamsize>(std::min<int64_t>(static_cast<int64_t>(buf.size()), size - hashed_)));
      if (in.gcount() <= 0) break;
      append(buf.data(), static_cast<size_t>(in.gcount()));
    }
  }
  std::string digest(int64_t size) {
    sync(size);
    return hash_.hex_digest();
  }

 private:
  std::string path_;
  Sha256 hash_;
  int64_t hashed_ = 0;
};

// Downloads `meta` into blobs/{etag}.incomplete (resuming what is there), verifies it and
// renames it into place. Caller holds the blob's lock.
void download_blob(const HttpClient& http, const HubSettings& s, const std::string& repo, const RepoCache& cache,
                   const FileMeta& meta, Progress& progress) {
  const std::string blob = cache.blob_path(meta.etag);
  const std::string partial = blob + ".incomplete";
  const std::string url = resolve_url(s, repo, meta.commit, meta.path);
  const bool lfs = is_sha256(meta.etag);
  fs::create_directories(fs::path(blob).parent_path());
  PartialHash hash(partial);
  BodyObserver observer;
  observer.data = [&](const char* data, size_t n) {
    if (lfs) hash.append(data, n);
    progress.add_bytes(static_cast<int64_t>(n));
  };
  observer.restart = [&] { hash.reset(); };
  bool refetched = false;
  int attempts = 0;
  while (true) {
    int64_t have = file_size_or_zero(partial);
    if (meta.size >= 0 && have > meta.size) {  // longer than the file can be: start over
      fs::remove(partial);
      have = 0;
    }
    if (meta.size < 0 || have < meta.size || (have == 0 && !fs::exists(partial))) {
      if (lfs) hash.sync(have);
      try {
        const DownloadResult d = http.download(url, partial, have, observer);
        if (d.status == 416) {  // our offset is past the end: the partial file is wrong
          fs::remove(partial);
          if (++attempts >= kTransferAttempts) throw Error(repo + "/" + meta.path + ": server refused the byte range");
          continue;
        }
        if ((d.status == 429 || d.status >= 500) && attempts + 1 < kTransferAttempts)
          throw TransportError(url + ": HTTP " + std::to_string(d.status));  // overloaded: retry like a drop
        if (d.status < 200 || d.status >= 300) {
          HttpResponse r;
          r.status = d.status;
          check_hub_status(r, repo, meta.path, s.endpoint, !s.token.empty());
        }
        if (d.restarted) progress.add_bytes(-have);
      } catch (const TransportError& e) {
        if (++attempts >= kTransferAttempts)
          throw Error(repo + "/" + meta.path + ": download failed after " + std::to_string(attempts) + " attempts: " + e.what());
        std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempts));
        continue;  // resume from what reached the disk
      }
    }
    // Verify: the size always; the content when the etag is the file's sha256 (LFS files).
    const int64_t got = file_size_or_zero(partial);
    std::string problem;
    if (meta.size >= 0 && got != meta.size) {
      if (got < meta.size) {  // the server closed early without an error: resume
        if (++attempts >= kTransferAttempts)
          throw Error(repo + "/" + meta.path + ": download incomplete after " + std::to_string(attempts) + " attempts");
        continue;
      }
      problem = "size " + std::to_string(got) + " bytes, expected " + std::to_string(meta.size);
    } else if (lfs) {
      const std::string digest = hash.digest(got);
      if (digest != meta.etag) problem = "sha256 " + digest + ", expected " + meta.etag;
    }
    if (problem.empty()) break;
    fs::remove(partial);
    hash.reset();
    progress.add_bytes(-got);
    if (refetched) throw Error(repo + "/" + meta.path + ": downloaded file is corrupt twice (" + problem + "); giving up");
    std::fprintf(stderr, "slm: %s: corrupt download (%s); fetching it again\n", meta.path.c_str(), problem.c_str());
    refetched = true;
  }
  ::chmod(partial.c_str(), 0644);
  fs::rename(partial, blob);
}

// A sharded checkpoint fetches only the shards its index names (repositories sometimes also
// carry a consolidated copy of the same weights).
std::vector<std::string> shards_named_by_index(const std::vector<std::string>& wanted, const std::string& repo,
                                               const std::string& commit, const HubSettings& s) {
  const std::string index_name = "model.safetensors.index.json";
  if (std::find(wanted.begin(), wanted.end(), index_name) == wanted.end()) return wanted;
  std::set<std::string> shards;
  const std::string index_path = fetch_repo_file(repo, commit, index_name, s);
  try {
    std::ifstream in(index_path);
    const auto index = nlohmann::json::parse(in);  // named: the loop below must not outlive it
    for (const auto& [tensor, shard] : index.at("weight_map").items()) shards.insert(shard.get<std::string>());
  } catch (const std::exception& e) {
    throw Error(repo + "/" + index_name + ": cannot read the weight map: " + e.what());
  }
  std::vector<std::string> out;
  for (const auto& f : wanted) {
    const bool weights = f.size() > 12 && f.compare(f.size() - 12, 12, ".safetensors") == 0;
    if (!weights || shards.count(f)) out.push_back(f);
  }
  for (const auto& shard : shards)
    if (std::find(out.begin(), out.end(), shard) == out.end())
      throw Error(repo + ": " + index_name + " names " + shard + ", which the repository does not have");
  return out;
}

}  // namespace

RepoListing list_repo_files(const std::string& repo_id, const std::string& revision, const HubSettings& s) {
  HttpClient http(s.token, s.stall_seconds);
  const std::string url = s.endpoint + "/api/models/" + repo_id + "/revision/" + url_encode_segment(revision);
  HttpResponse r;
  try {
    r = with_retries([&] { return http.get(url); });
  } catch (const TransportError& e) {
    throw Error(repo_id + ": cannot reach " + s.endpoint + " (" + e.what() + "); set HF_HUB_OFFLINE=1 to use the cache only");
  }
  check_hub_status(r, repo_id, "the file list", s.endpoint, !s.token.empty());
  RepoListing listing;
  try {
    const auto j = nlohmann::json::parse(r.body);
    listing.commit = j.value("sha", "");
    for (const auto& sib : j.at("siblings")) listing.files.push_back(sib.at("rfilename").get<std::string>());
  } catch (const std::exception& e) {
    throw Error(repo_id + ": unexpected answer from " + url + ": " + e.what());
  }
  return listing;
}

PullResult pull_model(const ModelRef& ref, const HubSettings& s, const PullOptions& options) {
  if (ref.local) throw Error("'" + ref.path + "' is a local path, not a Hub model id");
  if (s.offline) {
    // Offline, a pull of something already cached is a no-op, as with huggingface_hub.
    if (auto cached = find_cached_model(ref, s)) {
      const RepoCache cache(s.cache_dir, ref.repo_id);
      PullResult r;
      r.repo_id = ref.repo_id;
      r.model_path = *cached;
      r.commit = cache.cached_commit(ref.revision).value_or("");
      r.snapshot_dir = cache.snapshot_dir(r.commit);
      r.files = cache.snapshot_files(r.commit);
      return r;
    }
    throw Error(ref.display() + " is not in the cache at " + s.cache_dir +
                " and HF_HUB_OFFLINE is set, so nothing can be downloaded; unset it to pull");
  }
  const RepoListing listing = list_repo_files(ref.repo_id, ref.revision, s);
  const std::string label = ref.repo_id;
  std::vector<std::string> wanted;
  const bool gguf = !ref.quant.empty() || is_gguf_repo(listing.files);
  if (gguf) wanted = select_gguf_files(listing.files, ref.quant, label);
  else wanted = select_hf_files(listing.files);
  if (wanted.empty()) throw Error(label + ": no model files (config.json, *.safetensors or *.gguf) in the repository");
  if (!gguf && std::find(wanted.begin(), wanted.end(), "config.json") == wanted.end())
    throw Error(label + ": the repository has no config.json; is it a Transformers model?");

  HttpClient http(s.token, s.stall_seconds);
  RepoCache cache(s.cache_dir, ref.repo_id);
  const std::string commit_for_urls = listing.commit.empty() ? ref.revision : listing.commit;
  if (!gguf) wanted = shards_named_by_index(wanted, ref.repo_id, commit_for_urls, s);

  std::vector<FileMeta> metas(wanted.size());
  try {
    parallel_for(wanted.size(), s.threads, [&](size_t i) { metas[i] = head_file(http, s, ref.repo_id, commit_for_urls, wanted[i]); });
  } catch (const TransportError& e) {
    throw Error(label + ": cannot reach " + s.endpoint + " (" + e.what() + ")");
  }

  PullResult result;
  result.repo_id = ref.repo_id;
  result.commit = metas.front().commit;
  cache.write_ref(ref.revision, result.commit);

  int64_t to_fetch = 0;
  for (auto& m : metas) {
    std::error_code ec;
    m.cached = fs::exists(cache.pointer_path(m.commit, m.path), ec) || fs::exists(cache.blob_path(m.etag), ec);
    if (!m.cached && m.size > 0) to_fetch += m.size - file_size_or_zero(cache.blob_path(m.etag) + ".incomplete");
  }

  Progress progress(to_fetch, options.quiet);
  std::atomic<int> downloaded{0};
  std::atomic<int64_t> bytes{0};
  parallel_for(metas.size(), s.threads, [&](size_t i) {
    const FileMeta& m = metas[i];
    if (!m.cached) {
      FileLock lock(cache.lock_path(m.etag));
      if (!fs::exists(cache.blob_path(m.etag))) {  // another process may have finished it meanwhile
        download_blob(http, s, ref.repo_id, cache, m, progress);
        ++downloaded;
        bytes += std::max<int64_t>(m.size, 0);
        progress.file_done(m.path, m.size);
      }
    }
    cache.link_snapshot_file(m.commit, m.path, m.etag);
  });
  progress.finish();

  result.snapshot_dir = cache.snapshot_dir(result.commit);
  result.files = wanted;
  result.files_downloaded = downloaded;
  result.bytes_downloaded = bytes;
  result.model_path = gguf ? cache.pointer_path(result.commit, wanted.front()) : result.snapshot_dir;
  return result;
}

std::string fetch_repo_file(const std::string& repo_id, const std::string& revision, const std::string& file,
                            const HubSettings& s) {
  RepoCache cache(s.cache_dir, repo_id);
  if (auto commit = cache.cached_commit(revision)) {
    const std::string p = cache.pointer_path(*commit, file);
    if (fs::exists(p)) return p;
  }
  if (s.offline)
    throw Error(repo_id + "/" + file + ": not in the cache at " + s.cache_dir + " and HF_HUB_OFFLINE is set");
  HttpClient http(s.token, s.stall_seconds);
  FileMeta m;
  try {
    m = head_file(http, s, repo_id, revision, file);
  } catch (const TransportError& e) {
    throw Error(repo_id + ": cannot reach " + s.endpoint + " (" + e.what() + ")");
  }
  cache.write_ref(revision, m.commit);
  if (!fs::exists(cache.blob_path(m.etag))) {
    FileLock lock(cache.lock_path(m.etag));
    Progress quiet(0, true);
    if (!fs::exists(cache.blob_path(m.etag))) download_blob(http, s, repo_id, cache, m, quiet);
  }
  cache.link_snapshot_file(m.commit, file, m.etag);
  return cache.pointer_path(m.commit, file);
}

}  // namespace slm::hub
