#pragma once
// The HTTP endpoints. Each handler throws ApiError for bad requests; register_routes wraps
// them so every failure becomes an OpenAI-shaped JSON error.
#include <functional>
#include <memory>
#include <optional>
#include <span>

#include <httplib.h>

#include "serve/event_channel.h"
#include "serve/generation_job.h"
#include "serve/server_context.h"

namespace slm::serve {

void register_routes(httplib::Server& server, ServerContext& ctx);

void handle_chat_completions(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_completions(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_models(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_health(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);

// The completion budget: `requested` or what is left of the context; 400 when the prompt (plus
// an explicit max_tokens) does not fit.
int completion_budget(const ServerContext& ctx, size_t prompt_tokens, std::optional<int> requested);

// Submits the job and answers: SSE from the channel when streaming, else the single body once
// the job is done. Either way a client that goes away cancels the job.
void respond_with_job(ServerContext& ctx, const httplib::Request& req, httplib::Response& res, std::shared_ptr<GenerationJob> job,
                      std::shared_ptr<EventChannel> channel, bool stream, const std::string& first_event,
                      const std::function<int()>& status);

}  // namespace slm::serve
