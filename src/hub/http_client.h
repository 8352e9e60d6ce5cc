#pragma once
// A small libcurl wrapper for the Hub: metadata requests (HEAD without following redirects,
// JSON GETs) and resumable streaming downloads, with bearer auth and bounded timeouts.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <string>

#include "slm/error.h"

namespace slm::hub {

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names, of the last response
  std::string body;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// The connection failed or broke (no HTTP status to judge): worth retrying.
class TransportError : public Error {
 public:
  using Error::Error;
};

struct DownloadResult {
  long status = 0;          // of the final response (after redirects)
  int64_t bytes = 0;        // body bytes appended to the file
  bool restarted = false;   // a Range was asked but the server sent the whole file
  std::string error_body;   // the body of a non-2xx response
};

// Sees the body as it is appended to the file. `restart` runs first when the server ignored the
// Range and the file was truncated to start over.
struct BodyObserver {
  std::function<void(const char* data, size_t size)> data;
  std::function<void()> restart;
};

class HttpClient {
 public:
  HttpClient(std::string token, int stall_seconds);

  HttpResponse head(const std::string& url) const;  // does not follow redirects
  HttpResponse get(const std::string& url) const;   // follows redirects, body kept in memory

  // GETs `url` (following redirects) and appends the body to `file`, which holds `offset`
  // bytes already: asks for "Range: bytes=offset-" and, when the server ignores it, truncates
  // the file and starts over.
  DownloadResult download(const std::string& url, const std::string& file, int64_t offset,
                          const BodyObserver& observer) const;

 private:
  std::string token_;
  int stall_seconds_;
};

// Percent-encodes one URL path segment (a revision like "refs/pr/1" becomes "refs%2Fpr%2F1").
std::string url_encode_segment(const std::string& s);
// Percent-encodes a file path, keeping '/'.
std::string url_encode_path(const std::string& s);

}  // namespace slm::hub
