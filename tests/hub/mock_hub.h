#pragma once
// A stand-in for the Hugging Face Hub's HTTP endpoints on 127.0.0.1 (random free port), enough
// for the downloader: the model info API, HEAD/GET on resolve/{rev}/{file} with the Hub's
// headers, 302 redirects of LFS files to a CDN path that honours Range, and fault injection
// (dropped connections, corrupted bytes, HTTP errors, gated repositories).
#include <httplib.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace slm::test {

class MockHub {
 public:
  struct Request {
    std::string method, path, range, authorization;
  };
  struct File {
    std::string content;
    bool lfs = false;  // served through a redirect, etag = sha256
    std::string etag;  // sha256 (LFS) or a git-style 40-hex id
  };
  struct Repo {
    std::string commit;
    std::map<std::string, File> files;
    int fail_status = 0;          // answer requests with this status...
    int fail_remaining = -1;      // ...this many times (-1: always)
    std::string fail_error_code;  // X-Error-Code for fail_status
    std::string required_token;   // gated: only "Bearer <token>" gets in
  };

  MockHub();
  ~MockHub();

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // LFS = *.safetensors and *.gguf, as on the Hub.
  Repo& add_repo(const std::string& repo_id, const std::string& commit,
                 const std::map<std::string, std::string>& files);
  // The next GET of this file's content sends `after_bytes` bytes, then closes the connection.
  void drop_once(const std::string& repo_id, const std::string& file, size_t after_bytes);
  // The next `times` GETs of this file's content send the right length but wrong bytes.
  void corrupt(const std::string& repo_id, const std::string& file, int times);

  // LFS redirects point at another server (a CDN on another port) instead of this one.
  void set_cdn(const std::string& endpoint) { cdn_ = endpoint; }

  std::vector<Request> requests();
  void clear_requests();
  // GETs of file contents (resolve and CDN), i.e. actual downloads.
  int content_gets();

  Repo& repo(const std::string& id) { return repos_.at(id); }

 private:
  void handle_api(const httplib::Request& req, httplib::Response& res);
  void handle_resolve(const httplib::Request& req, httplib::Response& res);
  void handle_cdn(const httplib::Request& req, httplib::Response& res);
  bool check_access(Repo& r, const httplib::Request& req, httplib::Response& res);
  void log(const httplib::Request& req);

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::string cdn_;
  std::mutex mu_;
  std::map<std::string, Repo> repos_;
  std::map<std::string, size_t> drop_after_;  // etag -> bytes
  std::map<std::string, int> corrupt_;        // etag -> remaining times
  std::vector<Request> requests_;
};

std::string read_file(const std::string& path);
std::string sha256_hex(const std::string& data);

}  // namespace slm::test
