#include "serve/chat_completion_stream.h"

#include <random>

#include "serve/openai_errors.h"
#include "serve/sse.h"

namespace slm::serve {

namespace {
using json = nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json bytes_array(const std::string& s) {
  json b = json::array();
  for (unsigned char c : s) b.push_back(static_cast<int>(c));
  return b;
}
}  // namespace

std::string random_id(const std::string& prefix, size_t length) {
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string id = prefix;
  for (size_t i = 0; i < length; ++i) id += kAlphabet[rng() % (sizeof(kAlphabet) - 1)];
  return id;
}

ChatCompletionStream::ChatCompletionStream(ChatStreamSettings settings, TokenTextStream text, StopStrings stops,
                                           ChatOutputParser parser, std::shared_ptr<EventChannel> channel)
    : settings_(std::move(settings)), text_(std::move(text)), stops_(std::move(stops)), parser_(std::move(parser)),
      channel_(std::move(channel)) {}

json ChatCompletionStream::chunk(const json& delta, const json& finish_reason) const {
  json choice = {{"index", 0}, {"delta", delta}, {"logprobs", nullptr}, {"finish_reason", finish_reason}};
  return {{"id", settings_.id}, {"object", "chat.completion.chunk"}, {"created", settings_.created},
          {"model", settings_.model}, {"system_fingerprint", "slm"}, {"choices", json::array({choice})}};
}

std::string ChatCompletionStream::role_chunk() const {
  return sse_event(chunk({{"role", "assistant"}, {"content", ""}}, nullptr));
}

json ChatCompletionStream::logprob_entry(const GeneratedToken& t) const {
  json top = json::array();
  for (const auto& alt : t.top)
    top.push_back({{"token", text_.token_text(alt.id)}, {"logprob", alt.logprob}, {"bytes", bytes_array(text_.token_bytes(alt.id))}});
  return {{"token", text_.token_text(t.id)}, {"logprob", t.logprob}, {"bytes", bytes_array(text_.token_bytes(t.id))},
          {"top_logprobs", top}};
}

bool ChatCompletionStream::on_token(const GeneratedToken& token) {
  if (settings_.logprobs) {
    json entry = logprob_entry(token);
    logprobs_.push_back(entry);
    pending_logprobs_.push_back(entry);
  }
  deliver(parser_.push(stops_.push(text_.push(token.id))));
  return !stops_.stopped();
}

void ChatCompletionStream::deliver(const ChatDelta& d) {
  reasoning_ += d.reasoning;
  content_ += d.content;
  json calls = json::array();
  for (const auto& call : d.tool_calls) {
    json c = {{"index", tool_calls_.size()}, {"id", random_id("call_")}, {"type", "function"},
              {"function", {{"name", call.name}, {"arguments", call.arguments}}}};
    tool_calls_.push_back(c);
    calls.push_back(c);
  }
  if (!settings_.stream || d.empty()) return;
  json delta = json::object();
  if (!d.reasoning.empty()) delta["reasoning_content"] = delta["reasoning"] = d.reasoning;
  if (!d.content.empty()) delta["content"] = d.content;
  if (!calls.empty()) delta["tool_calls"] = calls;
  json c = chunk(delta, nullptr);
  if (settings_.logprobs && !pending_logprobs_.empty()) {
    c["choices"][0]["logprobs"] = {{"content", pending_logprobs_}};
    pending_logprobs_ = json::array();
  }
  channel_->push(sse_event(c));
}

void ChatCompletionStream::on_finish(const JobResult& result) {
  if (result.finish_reason == "cancelled") {
    channel_->close();
    return;
  }
  if (result.finish_reason == "error") {
    const json err = error_json(500, "generation failed: " + result.error, "server_error");
    if (settings_.stream) channel_->push(sse_event(err));
    else {
      status_ = 500;
      channel_->push(dump(err));
    }
    channel_->close();
    return;
  }
  ChatDelta tail = parser_.push(stops_.push(text_.flush()));
  ChatDelta rest = parser_.push(stops_.flush());
  ChatDelta last = parser_.finish();
  for (ChatDelta* d : {&tail, &rest, &last}) deliver(*d);

  const std::string finish = !tool_calls_.empty() ? "tool_calls" : result.finish_reason;
  const json usage = {{"prompt_tokens", result.prompt_tokens},
                      {"completion_tokens", result.completion_tokens},
                      {"total_tokens", result.prompt_tokens + result.completion_tokens},
                      {"prompt_tokens_details", {{"cached_tokens", result.cached_tokens}}}};
  if (settings_.stream) {
    json c = chunk(json::object(), finish);
    if (settings_.logprobs && !pending_logprobs_.empty()) c["choices"][0]["logprobs"] = {{"content", pending_logprobs_}};
    channel_->push(sse_event(c));
    if (settings_.include_usage) {
      json u = chunk(json::object(), nullptr);
      u["choices"] = json::array();
      u["usage"] = usage;
      channel_->push(sse_event(u));
    }
    channel_->push(sse_done());
  } else {
    json message = {{"role", "assistant"}, {"content", content_.empty() && !tool_calls_.empty() ? json() : json(content_)}};
    if (!reasoning_.empty()) message["reasoning_content"] = message["reasoning"] = reasoning_;
    if (!tool_calls_.empty()) message["tool_calls"] = tool_calls_;
    json choice = {{"index", 0}, {"message", message}, {"logprobs", nullptr}, {"finish_reason", finish}};
    if (settings_.logprobs) choice["logprobs"] = {{"content", logprobs_}};
    json body = {{"id", settings_.id}, {"object", "chat.completion"}, {"created", settings_.created},
                 {"model", settings_.model}, {"system_fingerprint", "slm"}, {"choices", json::array({choice})},
                 {"usage", usage}};
    channel_->push(dump(body));
  }
  channel_->close();
}

}  // namespace slm::serve
