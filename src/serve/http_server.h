#pragma once
// The OpenAI-compatible HTTP server over cpp-httplib: authentication, body limits, JSON errors
// for everything httplib itself rejects, and the routes.
#include <memory>

#include <httplib.h>

#include "serve/server_context.h"

namespace slm::serve {

class HttpServer {
 public:
  explicit HttpServer(ServerContext& ctx);
  // Binds host:port (port 0 picks a free one); returns the port. Throws slm::Error on failure.
  int bind();
  // Serves until stop() (blocking).
  void run();
  void stop();

 private:
  ServerContext& ctx_;
  httplib::Server server_;
  int listen_socket_ = -1;
};

}  // namespace slm::serve
