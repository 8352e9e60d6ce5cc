#include "serve/routes.h"

#include "serve/connection_probe.h"
#include "serve/openai_errors.h"
#include "slm/error.h"

namespace slm::serve {

namespace {

using Handler = void (*)(ServerContext&, const httplib::Request&, httplib::Response&);

void send_error(httplib::Response& res, const ApiError& e) {
  res.status = e.status();
  res.set_content(e.to_json().dump(), "application/json");
}

// Runs a handler; no exception escapes as anything but a JSON error.
httplib::Server::Handler guarded(ServerContext& ctx, Handler handler) {
  return [&ctx, handler](const httplib::Request& req, httplib::Response& res) {
    try {
      handler(ctx, req, res);
    } catch (const ApiError& e) {
      send_error(res, e);
    } catch (const slm::Error& e) {
      send_error(res, invalid_request(e.what()));
    } catch (const std::exception& e) {
      send_error(res, ApiError(500, "server_error", std::string("internal error: ") + e.what()));
    }
  };
}

}  // namespace

void register_routes(httplib::Server& server, ServerContext& ctx) {
  server.Post("/v1/chat/completions", guarded(ctx, handle_chat_completions));
  server.Post("/chat/completions", guarded(ctx, handle_chat_completions));
  server.Post("/v1/completions", guarded(ctx, handle_completions));
  server.Post("/completions", guarded(ctx, handle_completions));
  server.Get("/v1/models", guarded(ctx, handle_models));
  server.Get("/models", guarded(ctx, handle_models));
  server.Get("/health", guarded(ctx, handle_health));
  server.Get("/v1/health", guarded(ctx, handle_health));
}

int completion_budget(const ServerContext& ctx, size_t prompt_tokens, std::optional<int> requested) {
  const int64_t context = ctx.scheduler->context();
  if (static_cast<int64_t>(prompt_tokens) >= context)
    throw context_exceeded("This model's context is " + std::to_string(context) + " tokens; the prompt has " +
                           std::to_string(prompt_tokens) + " tokens. Shorten the prompt.");
  const int64_t room = context - static_cast<int64_t>(prompt_tokens);
  if (requested && *requested > room)
    throw ApiError(400, "invalid_request_error",
                   "This model's context is " + std::to_string(context) + " tokens; the prompt has " +
                       std::to_string(prompt_tokens) + " tokens and max_tokens asks for " + std::to_string(*requested) +
                       " more. Lower max_tokens or shorten the prompt.",
                   "max_tokens", "context_length_exceeded");
  return static_cast<int>(requested ? *requested : room);
}

void respond_with_job(ServerContext& ctx, const httplib::Request& req, httplib::Response& res, std::shared_ptr<GenerationJob> job,
                      std::shared_ptr<EventChannel> channel, bool stream, const std::string& first_event,
                      const std::function<int()>& status) {
  ctx.scheduler->submit(job);  // 503 when the queue is full
  if (!stream) {
    const ConnectionProbe probe(req.local_addr, req.local_port, req.remote_addr, req.remote_port);
    std::string body, item;
    while (true) {
      auto got = channel->pop(item, std::chrono::milliseconds(100));
      if (got == EventChannel::Pop::kClosed) break;
      if (got == EventChannel::Pop::kItem) body += item;
      if (got == EventChannel::Pop::kTimeout && !job->cancelled && probe.peer_closed()) job->cancelled = true;
    }
    if (body.empty()) throw ApiError(500, "server_error", "the request was cancelled");
    res.status = status();
    res.set_content(body, "application/json");
    return;
  }
  res.set_header("Cache-Control", "no-cache");
  auto first = std::make_shared<std::string>(first_event);
  res.set_chunked_content_provider(
      "text/event-stream",
      [channel, job, first](size_t, httplib::DataSink& sink) {
        if (!first->empty()) {
          std::string s = std::move(*first);
          first->clear();
          if (!sink.write(s.data(), s.size())) {
            job->cancelled = true;
            return false;
          }
        }
        std::string item;
        switch (channel->pop(item, std::chrono::milliseconds(250))) {
          case EventChannel::Pop::kItem:
            if (!sink.write(item.data(), item.size())) {
              job->cancelled = true;
              return false;
            }
            return true;
          case EventChannel::Pop::kTimeout:
            if (!sink.is_writable()) {
              job->cancelled = true;
              return false;
            }
            return true;
          case EventChannel::Pop::kClosed:
            sink.done();
            return true;
        }
        return true;
      },
      [job](bool success) {
        if (!success) job->cancelled = true;
      });
}

}  // namespace slm::serve
