#pragma once
// Builds one /v1/chat/completions response from the scheduler's tokens: SSE chunks when
// streaming, one JSON body otherwise. Both come from the same incremental parse, so a
// non-streamed reply equals its streamed deltas joined.
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "serve/chat_output_parser.h"
#include "serve/event_channel.h"
#include "serve/generation_job.h"
#include "serve/stop_strings.h"
#include "serve/token_text_stream.h"

namespace slm::serve {

struct ChatStreamSettings {
  std::string id, model;
  int64_t created = 0;
  bool stream = false, include_usage = false, logprobs = false;
};

class ChatCompletionStream {
 public:
  ChatCompletionStream(ChatStreamSettings settings, TokenTextStream text, StopStrings stops, ChatOutputParser parser,
                       std::shared_ptr<EventChannel> channel);

  // Scheduler callbacks.
  bool on_token(const GeneratedToken& token);
  void on_finish(const JobResult& result);

  // The first streamed chunk (the assistant role).
  std::string role_chunk() const;
  // Non-streaming: the HTTP status and body once finished.
  int status() const { return status_; }

 private:
  nlohmann::json chunk(const nlohmann::json& delta, const nlohmann::json& finish_reason) const;
  void deliver(const ChatDelta& delta);
  nlohmann::json logprob_entry(const GeneratedToken& t) const;

  ChatStreamSettings settings_;
  TokenTextStream text_;
  StopStrings stops_;
  ChatOutputParser parser_;
  std::shared_ptr<EventChannel> channel_;
  std::string reasoning_, content_;
  nlohmann::json tool_calls_ = nlohmann::json::array();
  nlohmann::json logprobs_ = nlohmann::json::array();  // all of them (non-streaming)
  nlohmann::json pending_logprobs_ = nlohmann::json::array();  // not yet sent (streaming)
  int status_ = 200;
};

// "chatcmpl-" / "call_" + random letters and digits.
std::string random_id(const std::string& prefix, size_t length = 24);

}  // namespace slm::serve
