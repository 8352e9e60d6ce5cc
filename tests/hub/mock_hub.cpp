#include "mock_hub.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include "hub/sha256.h"

namespace slm::test {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string sha256_hex(const std::string& data) {
  hub::Sha256 h;
  h.update(data.data(), data.size());
  return h.hex_digest();
}

namespace {
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

MockHub::MockHub() {
  server_.set_read_timeout(5, 0);
  server_.set_write_timeout(5, 0);
  server_.set_keep_alive_max_count(1);
  server_.Get(R"(/api/models/([^/]+/[^/]+)/revision/(.+))",
              [this](const httplib::Request& req, httplib::Response& res) { handle_api(req, res); });
  server_.Get(R"(/cdn/([0-9a-f]{64}))",
              [this](const httplib::Request& req, httplib::Response& res) { handle_cdn(req, res); });
  server_.Get(R"(/([^/]+/[^/]+)/resolve/([^/]+)/(.+))",
              [this](const httplib::Request& req, httplib::Response& res) { handle_resolve(req, res); });
  port_ = server_.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  for (int i = 0; i < 200 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

MockHub::~MockHub() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

MockHub::Repo& MockHub::add_repo(const std::string& repo_id, const std::string& commit,
                                 const std::map<std::string, std::string>& files) {
  std::lock_guard<std::mutex> lock(mu_);
  Repo& r = repos_[repo_id];
  r.commit = commit;
  for (const auto& [path, content] : files) {
    File f;
    f.content = content;
    f.lfs = ends_with(path, ".safetensors") || ends_with(path, ".gguf");
    // Regular files get a 40-hex id like a git blob hash; LFS files their sha256.
    f.etag = f.lfs ? sha256_hex(content) : sha256_hex("blob " + content).substr(0, 40);
    r.files[path] = f;
  }
  return r;
}

void MockHub::drop_once(const std::string& repo_id, const std::string& file, size_t after_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  drop_after_[repos_.at(repo_id).files.at(file).etag] = after_bytes;
}

void MockHub::corrupt(const std::string& repo_id, const std::string& file, int times) {
  std::lock_guard<std::mutex> lock(mu_);
  corrupt_[repos_.at(repo_id).files.at(file).etag] = times;
}

std::vector<MockHub::Request> MockHub::requests() {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

void MockHub::clear_requests() {
  std::lock_guard<std::mutex> lock(mu_);
  requests_.clear();
}

int MockHub::content_gets() {
  int n = 0;
  for (const auto& r : requests())
    if (r.method == "GET" && (r.path.rfind("/cdn/", 0) == 0 || r.path.find("/resolve/") != std::string::npos)) ++n;
  return n;
}

void MockHub::log(const httplib::Request& req) {
  std::lock_guard<std::mutex> lock(mu_);
  requests_.push_back({req.method, req.path, req.get_header_value("Range"), req.get_header_value("Authorization")});
}

bool MockHub::check_access(Repo& r, const httplib::Request& req, httplib::Response& res) {
  if (r.fail_status && r.fail_remaining != 0) {
    if (r.fail_remaining > 0) --r.fail_remaining;
    res.status = r.fail_status;
    if (!r.fail_error_code.empty()) res.set_header("X-Error-Code", r.fail_error_code);
    res.set_content("{\"error\":\"failure injected by the test\"}", "application/json");
    return false;
  }
  if (!r.required_token.empty() && req.get_header_value("Authorization") != "Bearer " + r.required_token) {
    res.status = 401;
    res.set_header("X-Error-Code", "GatedRepo");
    res.set_content("{\"error\":\"Access to this model is restricted\"}", "application/json");
    return false;
  }
  return true;
}

void MockHub::handle_api(const httplib::Request& req, httplib::Response& res) {
  log(req);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = repos_.find(req.matches[1].str());
  if (it == repos_.end()) {
    res.status = 401;  // the Hub does not reveal whether an unknown repo exists
    res.set_header("X-Error-Code", "RepoNotFound");
    return;
  }
  if (!check_access(it->second, req, res)) return;
  std::string siblings;
  for (const auto& [path, f] : it->second.files)
    siblings += std::string(siblings.empty() ? "" : ",") + "{\"rfilename\":\"" + path + "\"}";
  res.set_content("{\"id\":\"" + it->first + "\",\"sha\":\"" + it->second.commit + "\",\"siblings\":[" + siblings + "]}",
                  "application/json");
}

void MockHub::handle_resolve(const httplib::Request& req, httplib::Response& res) {
  log(req);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = repos_.find(req.matches[1].str());
  if (it == repos_.end()) {
    res.status = 404;
    res.set_header("X-Error-Code", "RepoNotFound");
    return;
  }
  Repo& r = it->second;
  if (!check_access(r, req, res)) return;
  const std::string rev = req.matches[2].str();
  if (rev != "main" && rev != r.commit) {
    res.status = 404;
    res.set_header("X-Error-Code", "RevisionNotFound");
    return;
  }
  auto f = r.files.find(req.matches[3].str());
  if (f == r.files.end()) {
    res.status = 404;
    res.set_header("X-Error-Code", "EntryNotFound");
    res.set_header("X-Repo-Commit", r.commit);
    return;
  }
  res.set_header("X-Repo-Commit", r.commit);
  if (f->second.lfs) {
    // Like the Hub: the LFS pointer's own etag, the real file's in X-Linked-*, and a redirect.
    res.status = 302;
    res.set_header("ETag", "\"" + sha256_hex("pointer " + f->second.etag).substr(0, 40) + "\"");
    res.set_header("X-Linked-Etag", "\"" + f->second.etag + "\"");
    res.set_header("X-Linked-Size", std::to_string(f->second.content.size()));
    res.set_header("Location", (cdn_.empty() ? endpoint() : cdn_) + "/cdn/" + f->second.etag);
    return;
  }
  res.set_header("ETag", "\"" + f->second.etag + "\"");
  res.set_content(f->second.content, "application/octet-stream");
}

void MockHub::handle_cdn(const httplib::Request& req, httplib::Response& res) {
  log(req);
  std::lock_guard<std::mutex> lock(mu_);
  const std::string etag = req.matches[1].str();
  const File* file = nullptr;
  for (const auto& [id, r] : repos_)
    for (const auto& [path, f] : r.files)
      if (f.etag == etag) file = &f;
  if (!file) {
    res.status = 404;
    return;
  }
  std::string content = file->content;
  if (auto c = corrupt_.find(etag); c != corrupt_.end() && c->second > 0) {
    --c->second;
    for (size_t i = 0; i < content.size(); i += 97) content[i] = static_cast<char>(content[i] ^ 0x5a);
  }
  size_t drop_at = std::string::npos;
  if (auto d = drop_after_.find(etag); d != drop_after_.end()) {
    drop_at = d->second;
    drop_after_.erase(d);
  }
  res.set_content_provider(content.size(), "application/octet-stream",
                           [content, drop_at](size_t offset, size_t length, httplib::DataSink& sink) {
                             size_t end = offset + length;
                             if (drop_at != std::string::npos) end = std::min(end, drop_at);
                             for (size_t at = offset; at < end; at += 16384)
                               if (!sink.write(content.data() + at, std::min<size_t>(16384, end - at))) return false;
                             return drop_at == std::string::npos || offset + length <= drop_at;
                           });
}

}  // namespace slm::test
