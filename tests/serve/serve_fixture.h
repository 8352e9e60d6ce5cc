#pragma once
// An in-process `slm serve` on 127.0.0.1 with a free port, and helpers to call it.
#include <memory>
#include <string>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "serve/http_server.h"
#include "test_support.h"

namespace slm::test {

class TestServer {
 public:
  explicit TestServer(const std::string& model_dir, serve::ServerOptions options = {}) {
    options.port = 0;
    LoadOptions load;
    load.threads = 1;
    engine_ = Engine::load(model_dir, load);
    ctx_ = std::make_unique<serve::ServerContext>(*engine_, model_dir, options);
    server_ = std::make_unique<serve::HttpServer>(*ctx_);
    port_ = server_->bind();
    thread_ = std::thread([this] { server_->run(); });
  }
  ~TestServer() {
    server_->stop();
    thread_.join();
  }
  int port() const { return port_; }
  serve::ServerContext& context() { return *ctx_; }
  std::unique_ptr<httplib::Client> client() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
    c->set_read_timeout(120, 0);
    return c;
  }

 private:
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<serve::ServerContext> ctx_;
  std::unique_ptr<serve::HttpServer> server_;
  int port_ = 0;
  std::thread thread_;
};

struct HttpReply {
  int status = 0;
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body); }
};

inline HttpReply post(const TestServer& server, const std::string& path, const std::string& body,
                      const httplib::Headers& headers = {}) {
  auto r = server.client()->Post(path.c_str(), headers, body, "application/json");
  if (!r) return {0, ""};
  return {r->status, r->body};
}

inline HttpReply get(const TestServer& server, const std::string& path, const httplib::Headers& headers = {}) {
  auto r = server.client()->Get(path.c_str(), headers);
  if (!r) return {0, ""};
  return {r->status, r->body};
}

// The JSON payloads of an SSE body (without [DONE]); `done` tells whether [DONE] ended it.
inline std::vector<nlohmann::json> sse_payloads(const std::string& body, bool* done = nullptr) {
  std::vector<nlohmann::json> out;
  if (done) *done = false;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find("\n\n", pos);
    if (end == std::string::npos) break;
    std::string event = body.substr(pos, end - pos);
    pos = end + 2;
    if (event.rfind("data: ", 0) != 0) continue;
    std::string data = event.substr(6);
    if (data == "[DONE]") {
      if (done) *done = true;
      continue;
    }
    out.push_back(nlohmann::json::parse(data));
  }
  return out;
}

}  // namespace slm::test
