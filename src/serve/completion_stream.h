#pragma once
// Builds one /v1/completions response (text completion, no chat template) from the tokens.
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "serve/event_channel.h"
#include "serve/generation_job.h"
#include "serve/stop_strings.h"
#include "serve/token_text_stream.h"

namespace slm::serve {

struct CompletionStreamSettings {
  std::string id, model;
  int64_t created = 0;
  bool stream = false, include_usage = false, logprobs = false;
  std::string echo_text;  // the prompt, when echo is set
};

class CompletionStream {
 public:
  CompletionStream(CompletionStreamSettings settings, TokenTextStream text, StopStrings stops,
                   std::shared_ptr<EventChannel> channel);
  bool on_token(const GeneratedToken& token);
  void on_finish(const JobResult& result);
  int status() const { return status_; }

 private:
  nlohmann::json chunk(const std::string& text, const nlohmann::json& finish_reason);
  void deliver(const std::string& text);

  CompletionStreamSettings settings_;
  TokenTextStream text_;
  StopStrings stops_;
  std::shared_ptr<EventChannel> channel_;
  std::string all_text_;
  nlohmann::json tokens_ = nlohmann::json::array(), token_logprobs_ = nlohmann::json::array(),
                 top_logprobs_ = nlohmann::json::array();
  size_t sent_logprobs_ = 0;
  int status_ = 200;
};

}  // namespace slm::serve
