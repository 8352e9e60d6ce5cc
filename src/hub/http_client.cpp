#include "hub/http_client.h"

#include <curl/curl.h>

#include <cctype>
#include <memory>
#include <mutex>

namespace slm::hub {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Easy {
  CURL* h;
  curl_slist* headers = nullptr;
  Easy() : h(curl_easy_init()) {
    if (!h) throw Error("libcurl: cannot create a handle");
  }
  ~Easy() {
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
  }
};

size_t collect_header(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  std::string line(data, size * n);
  // A new status line starts the headers of the next response in a redirect chain.
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();
    return size * n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string::npos) return size * n;
  std::string name = line.substr(0, colon);
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t b = colon + 1, e = line.size();
  while (b < e && (line[b] == ' ' || line[b] == '\t')) ++b;
  while (e > b && (line[e - 1] == '\r' || line[e - 1] == '\n' || line[e - 1] == ' ')) --e;
  (*headers)[name] = line.substr(b, e - b);
  return size * n;
}

size_t collect_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

void common_setup(Easy& e, const std::string& url, const std::string& token, int stall_seconds) {
  curl_easy_setopt(e.h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e.h, CURLOPT_USERAGENT, "slm/0.1");
  curl_easy_setopt(e.h, CURLOPT_NOSIGNAL, 1L);  // safe in threads
  curl_easy_setopt(e.h, CURLOPT_CONNECTTIMEOUT, 10L);
  // Give up on a stalled transfer rather than hang: less than 1 byte/s for stall_seconds.
  curl_easy_setopt(e.h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(e.h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(stall_seconds));
  curl_easy_setopt(e.h, CURLOPT_MAXREDIRS, 10L);
  if (!token.empty()) {
    // libcurl does not send a custom Authorization header to another host after a redirect,
    // so the token never reaches the CDN.
    e.headers = curl_slist_append(e.headers, ("Authorization: Bearer " + token).c_str());
  }
}

void perform(Easy& e, const std::string& url) {
  if (e.headers) curl_easy_setopt(e.h, CURLOPT_HTTPHEADER, e.headers);
  const CURLcode rc = curl_easy_perform(e.h);
  if (rc != CURLE_OK) throw TransportError(url + ": " + curl_easy_strerror(rc));
}

bool is_unreserved(unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~'; }

std::string encode(const std::string& s, bool keep_slash) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (is_unreserved(c) || (keep_slash && c == '/')) out += static_cast<char>(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string url_encode_segment(const std::string& s) { return encode(s, false); }
std::string url_encode_path(const std::string& s) { return encode(s, true); }

HttpClient::HttpClient(std::string token, int stall_seconds) : token_(std::move(token)), stall_seconds_(stall_seconds) {
  global_init();
}

HttpResponse HttpClient::head(const std::string& url) const {
  Easy e;
  HttpResponse r;
  common_setup(e, url, token_, stall_seconds_);
  curl_easy_setopt(e.h, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(e.h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e.h, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(e.h, CURLOPT_HEADERFUNCTION, collect_header);
  curl_easy_setopt(e.h, CURLOPT_HEADERDATA, &r.headers);
  perform(e, url);
  curl_easy_getinfo(e.h, CURLINFO_RESPONSE_CODE, &r.status);
  return r;
}

HttpResponse HttpClient::get(const std::string& url) const {
  Easy e;
  HttpResponse r;
  common_setup(e, url, token_, stall_seconds_);
  curl_easy_setopt(e.h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e.h, CURLOPT_TIMEOUT, 120L);
  curl_easy_setopt(e.h, CURLOPT_HEADERFUNCTION, collect_header);
  curl_easy_setopt(e.h, CURLOPT_HEADERDATA, &r.headers);
  curl_easy_setopt(e.h, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(e.h, CURLOPT_WRITEDATA, &r.body);
  perform(e, url);
  curl_easy_getinfo(e.h, CURLINFO_RESPONSE_CODE, &r.status);
  return r;
}

namespace {

struct Sink {
  CURL* h;
  const std::string* path;
  FILE* file = nullptr;
  int64_t offset;
  DownloadResult* result;
  const BodyObserver* observer;
  bool decided = false;
  bool to_file = false;
  std::string failure;
};

size_t write_to_file(char* data, size_t size, size_t n, void* user) {
  auto* s = static_cast<Sink*>(user);
  const size_t len = size * n;
  if (!s->decided) {
    // The first body bytes of the final response: decide where they go.
    s->decided = true;
    long status = 0;
    curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
    s->result->status = status;
    if (status == 206 || status == 200) {
      const bool whole = status == 200;
      if (whole && s->offset > 0) {
        s->result->restarted = true;
        if (s->observer->restart) s->observer->restart();
      }
      s->file = std::fopen(s->path->c_str(), whole ? "wb" : "ab");
      if (!s->file) {
        s->failure = *s->path + ": cannot open for writing";
        return 0;
      }
      s->to_file = true;
    }
  }
  if (!s->to_file) {
    if (s->result->error_body.size() < 4096) s->result->error_body.append(data, len);
    return len;
  }
  if (std::fwrite(data, 1, len, s->file) != len) {
    s->failure = *s->path + ": write failed (disk full?)";
    return 0;
  }
  s->result->bytes += static_cast<int64_t>(len);
  if (s->observer->data) s->observer->data(data, len);
  return len;
}

}  // namespace

DownloadResult HttpClient::download(const std::string& url, const std::string& file, int64_t offset,
                                    const BodyObserver& observer) const {
  Easy e;
  DownloadResult result;
  common_setup(e, url, token_, stall_seconds_);
  curl_easy_setopt(e.h, CURLOPT_FOLLOWLOCATION, 1L);
  if (offset > 0) e.headers = curl_slist_append(e.headers, ("Range: bytes=" + std::to_string(offset) + "-").c_str());
  Sink sink{e.h, &file, nullptr, offset, &result, &observer, false, false, {}};
  curl_easy_setopt(e.h, CURLOPT_WRITEFUNCTION, write_to_file);
  curl_easy_setopt(e.h, CURLOPT_WRITEDATA, &sink);
  if (e.headers) curl_easy_setopt(e.h, CURLOPT_HTTPHEADER, e.headers);
  const CURLcode rc = curl_easy_perform(e.h);
  if (sink.file) std::fclose(sink.file);
  if (!sink.failure.empty()) throw Error(sink.failure);
  long status = 0;
  curl_easy_getinfo(e.h, CURLINFO_RESPONSE_CODE, &status);
  result.status = status;
  if (rc != CURLE_OK) throw TransportError(url + ": " + curl_easy_strerror(rc));
  // An empty 200/206 body never reaches the write callback; make sure the file exists.
  if (!sink.decided && (status == 200 || (status == 206 && offset == 0))) {
    if (FILE* f = std::fopen(file.c_str(), "wb")) std::fclose(f);
  }
  return result;
}

}  // namespace slm::hub
