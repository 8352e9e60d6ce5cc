#pragma once
// Server-sent events as OpenAI streams them: one `data: {json}` event per chunk, `data: [DONE]` last.
#include <string>

#include <nlohmann/json.hpp>

namespace slm::serve {

inline std::string sse_event(const nlohmann::json& payload) {
  // Invalid UTF-8 (a model may emit it) is replaced rather than failing the stream.
  return "data: " + payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n\n";
}

inline std::string sse_done() { return "data: [DONE]\n\n"; }

}  // namespace slm::serve
