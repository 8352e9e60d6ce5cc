#include "serve/http_server.h"

#include <sys/socket.h>

#include "serve/openai_errors.h"
#include "serve/routes.h"
#include "slm/error.h"

namespace slm::serve {

namespace {

// Compares without an early exit, so response time does not reveal how much of a key matched.
bool same_secret(const std::string& given, const std::string& expected) {
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i)
    diff |= static_cast<unsigned char>(given[i] ^ expected[i % expected.size()]);
  return diff == 0;
}

}  // namespace

HttpServer::HttpServer(ServerContext& ctx) : ctx_(ctx) {
  const ServerOptions& o = ctx_.options;
  // Each waiting non-streaming request holds a connection thread, so there are enough threads
  // for every slot, the whole queue and a few health checks (the queue, not the thread pool,
  // is what answers 503).
  const size_t threads = o.http_threads > 0 ? static_cast<size_t>(o.http_threads)
                                            : static_cast<size_t>(o.parallel) + std::min<size_t>(o.max_queue, 256) + 8;
  server_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_.set_payload_max_length(o.max_body_bytes);
  server_.set_tcp_nodelay(true);  // stream chunks are small; do not let Nagle hold them back
  // Remember the listening socket (the callback sees it before bind) to widen its backlog.
  server_.set_socket_options([this](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_socket_ = sock;
  });
  server_.set_read_timeout(60, 0);
  server_.set_write_timeout(600, 0);

  const std::string expected = "Bearer " + o.api_key;
  server_.set_pre_routing_handler([this, expected](const httplib::Request& req, httplib::Response& res) {
    if (ctx_.options.api_key.empty() || same_secret(req.get_header_value("Authorization"), expected))
      return httplib::Server::HandlerResponse::Unhandled;
    res.status = 401;
    res.set_header("WWW-Authenticate", "Bearer");
    res.set_content(unauthorized().to_json().dump(), "application/json");
    return httplib::Server::HandlerResponse::Handled;
  });
  // httplib's own refusals (unknown path, body too large, unparsable request) get JSON bodies.
  server_.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string message = "HTTP error " + std::to_string(res.status);
    std::string type = res.status >= 500 ? "server_error" : "invalid_request_error";
    if (res.status == 404) message = "Unknown endpoint: " + req.method + " " + req.path;
    if (res.status == 405) message = "Method not allowed: " + req.method + " " + req.path;
    if (res.status == 413) message = "The request body is larger than the server accepts.";
    if (res.status == 400) message = "Malformed HTTP request.";
    res.set_content(error_json(res.status, message, type).dump(), "application/json");
  });
  server_.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string message = "internal error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      message += std::string(": ") + e.what();
    } catch (...) {
    }
    res.status = 500;
    res.set_content(error_json(500, message, "server_error").dump(), "application/json");
  });
  register_routes(server_, ctx_);
}

int HttpServer::bind() {
  const ServerOptions& o = ctx_.options;
  int port = o.port;
  if (port == 0) port = server_.bind_to_any_port(o.host.c_str());
  else if (!server_.bind_to_port(o.host.c_str(), port)) port = -1;
  if (port < 0) throw Error("cannot listen on " + o.host + ":" + std::to_string(o.port));
  // httplib listens with a backlog of 5: a burst of clients connecting at once would have
  // their SYNs dropped and retried a second later. Listening again on Linux raises it.
  if (listen_socket_ >= 0) ::listen(listen_socket_, SOMAXCONN);
  return port;
}

void HttpServer::run() { server_.listen_after_bind(); }

void HttpServer::stop() { server_.stop(); }

}  // namespace slm::serve
