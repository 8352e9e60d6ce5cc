#pragma once
// What every route needs: the model, its chat template and output conventions, the scheduler.
#include <memory>
#include <optional>
#include <string>

#include "chat/chat_template.h"
#include "chat/tool_calls/tool_call.h"
#include "engine/engine.h"
#include "serve/scheduler.h"

namespace slm::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;          // 0 = any free port
  std::string api_key;      // empty = no authentication
  int parallel = 4;
  int64_t context = 0;      // per slot; 0 = from the model and memory
  size_t max_queue = 64;
  size_t max_body_bytes = 8 << 20;
  int http_threads = 0;     // 0 = enough for parallel streams plus queued and health requests
  std::string model_id;     // the name /v1/models reports; default: the model directory or file name
  std::string chat_template_file;
};

class ServerContext {
 public:
  ServerContext(Engine& engine, const std::string& model_path, const ServerOptions& options);

  Engine& engine;
  ServerOptions options;
  std::string model_id;
  int64_t created;  // unix time the server started
  std::optional<ChatTemplate> chat_template;
  ToolCallFormat tool_format = ToolCallFormat::kHermes;
  bool reasoning_model = false;  // the model thinks in <think> blocks
  std::vector<std::string> kept_specials;  // special-token markers the output keeps as text
  std::unique_ptr<Scheduler> scheduler;

  // Throws ApiError 404 when `requested` names another model ("" accepts this one).
  void check_model(const std::string& requested) const;
};

}  // namespace slm::serve
