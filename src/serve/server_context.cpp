#include "serve/server_context.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include <fstream>

#include "serve/openai_errors.h"
#include "serve/serving_template.h"

namespace slm::serve {

namespace {

// The directory's name, or a .gguf file's stem ("model.gguf" inside a directory names it by
// the directory).
std::string default_model_id(const std::string& path) {
  std::filesystem::path p(path);
  while (!p.empty() && p.filename().empty()) p = p.parent_path();
  if (p.extension() == ".gguf") {
    const std::string stem = p.stem().string();
    const std::string dir = std::filesystem::absolute(p).parent_path().filename().string();
    return stem == "model" && !dir.empty() ? dir : stem;
  }
  return p.filename().string();
}

// MemAvailable from /proc/meminfo, 0 when unknown.
size_t available_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  size_t kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  return 0;
}

// The model's context (capped), halved until every slot's KV cache fits in half the free memory.
int64_t default_slot_context(const ModelConfig& config, const KVCacheOptions& kv, int parallel) {
  int64_t ctx = default_context(config);
  const size_t budget = available_memory_bytes() / 2;
  while (budget > 0 && ctx > 512 && kv_cache_bytes(config, ctx, kv) * static_cast<size_t>(parallel) > budget) ctx /= 2;
  return ctx;
}

}  // namespace

ServerContext::ServerContext(Engine& e, const std::string& model_path, const ServerOptions& opts)
    : engine(e), options(opts) {
  model_id = options.model_id.empty() ? default_model_id(model_path) : options.model_id;
  created = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  chat_template = load_serving_template(engine, model_path, options.chat_template_file);
  const std::string source = chat_template ? chat_template->source() : "";
  tool_format = detect_tool_call_format(source);
  const Tokenizer* tok = engine.tokenizer();
  reasoning_model = source.find("<think>") != std::string::npos || (tok && tok->token_id("<think>") >= 0);
  kept_specials = tool_call_marker_tokens(tool_format);
  if (reasoning_model) {
    kept_specials.push_back("<think>");
    kept_specials.push_back("</think>");
  }

  SchedulerOptions so;
  so.parallel = std::max(1, options.parallel);
  so.context = options.context > 0 ? options.context : default_slot_context(engine.config(), engine.kv_cache_options(), so.parallel);
  so.max_queue = options.max_queue;
  so.kept_specials = kept_specials;
  options.context = so.context;
  scheduler = std::make_unique<Scheduler>(engine, so);
}

void ServerContext::check_model(const std::string& requested) const {
  if (!requested.empty() && requested != model_id)
    throw not_found("The model '" + requested + "' does not exist; this server serves '" + model_id + "'.",
                    "model_not_found");
}

}  // namespace slm::serve
