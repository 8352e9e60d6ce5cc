#include "serve/completion_stream.h"

#include "serve/openai_errors.h"
#include "serve/sse.h"

namespace slm::serve {

namespace {
using json = nlohmann::json;
}

CompletionStream::CompletionStream(CompletionStreamSettings settings, TokenTextStream text, StopStrings stops,
                                   std::shared_ptr<EventChannel> channel)
    : settings_(std::move(settings)), text_(std::move(text)), stops_(std::move(stops)), channel_(std::move(channel)) {
  all_text_ = settings_.echo_text;
  if (settings_.stream && !settings_.echo_text.empty()) channel_->push(sse_event(chunk(settings_.echo_text, nullptr)));
}

json CompletionStream::chunk(const std::string& text, const json& finish_reason) {
  json choice = {{"index", 0}, {"text", text}, {"logprobs", nullptr}, {"finish_reason", finish_reason}};
  if (settings_.logprobs) {
    // The logprobs of tokens not yet sent.
    json lp = {{"tokens", json::array()}, {"token_logprobs", json::array()}, {"top_logprobs", json::array()}};
    const size_t from = settings_.stream ? sent_logprobs_ : 0;
    for (size_t i = from; i < tokens_.size(); ++i) {
      lp["tokens"].push_back(tokens_[i]);
      lp["token_logprobs"].push_back(token_logprobs_[i]);
      lp["top_logprobs"].push_back(top_logprobs_[i]);
    }
    sent_logprobs_ = tokens_.size();
    choice["logprobs"] = lp;
  }
  return {{"id", settings_.id}, {"object", "text_completion"}, {"created", settings_.created},
          {"model", settings_.model}, {"system_fingerprint", "slm"}, {"choices", json::array({choice})}};
}

void CompletionStream::deliver(const std::string& text) {
  all_text_ += text;
  if (settings_.stream && !text.empty()) channel_->push(sse_event(chunk(text, nullptr)));
}

bool CompletionStream::on_token(const GeneratedToken& token) {
  if (settings_.logprobs) {
    tokens_.push_back(text_.token_text(token.id));
    token_logprobs_.push_back(token.logprob);
    json top = json::object();
    for (const auto& alt : token.top) top[text_.token_text(alt.id)] = alt.logprob;
    top_logprobs_.push_back(top);
  }
  deliver(stops_.push(text_.push(token.id)));
  return !stops_.stopped();
}

void CompletionStream::on_finish(const JobResult& result) {
  if (result.finish_reason == "cancelled") {
    channel_->close();
    return;
  }
  if (result.finish_reason == "error") {
    const json err = error_json(500, "generation failed: " + result.error, "server_error");
    if (!settings_.stream) status_ = 500;
    channel_->push(settings_.stream ? sse_event(err) : err.dump());
    channel_->close();
    return;
  }
  deliver(stops_.push(text_.flush()));
  deliver(stops_.flush());
  const json usage = {{"prompt_tokens", result.prompt_tokens},
                      {"completion_tokens", result.completion_tokens},
                      {"total_tokens", result.prompt_tokens + result.completion_tokens},
                      {"prompt_tokens_details", {{"cached_tokens", result.cached_tokens}}}};
  if (settings_.stream) {
    channel_->push(sse_event(chunk("", result.finish_reason)));
    if (settings_.include_usage) {
      json u = chunk("", nullptr);
      u["choices"] = json::array();
      u["usage"] = usage;
      channel_->push(sse_event(u));
    }
    channel_->push(sse_done());
  } else {
    json body = chunk(all_text_, result.finish_reason);
    body["usage"] = usage;
    channel_->push(body.dump(-1, ' ', false, json::error_handler_t::replace));
  }
  channel_->close();
}

}  // namespace slm::serve
