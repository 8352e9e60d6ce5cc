#include "engine/chat_session.h"

#include "engine/model_chat_template.h"
#include "slm/error.h"

namespace slm {

ChatSession::ChatSession(Engine& engine, ChatOptions options, int64_t context)
    : engine_(engine), options_(std::move(options)), template_(find_model_chat_template(engine)), session_(engine, context) {
  engine_.require_tokenizer();
  reset();
}

void ChatSession::reset() {
  messages_ = nlohmann::ordered_json::array();
  if (!options_.system.empty()) messages_.push_back({{"role", "system"}, {"content", options_.system}});
}

std::string ChatSession::render_prompt() const {
  if (!template_) {
    std::string text;
    for (const auto& m : messages_) text += m["content"].get<std::string>();
    return text;
  }
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();
  if (options_.enable_thinking) extra["enable_thinking"] = *options_.enable_thinking;
  return template_->apply(messages_, nlohmann::ordered_json(), true, extra);
}

ChatTurn ChatSession::send(const std::string& user_text, const std::function<void(const ReasoningDelta&)>& on_delta) {
  const Tokenizer& tok = engine_.require_tokenizer();
  messages_.push_back({{"role", "user"}, {"content", user_text}});
  std::string prompt;
  try {
    prompt = render_prompt();
  } catch (...) {
    messages_.erase(messages_.end() - 1);
    throw;
  }
  // A template writes BOS and every special token itself; plain text gets the tokenizer's.
  const std::vector<int32_t> ids = tok.encode(prompt, /*add_special=*/!template_);

  ChatTurn turn;
  turn.prompt_ids = ids;
  ReasoningStreamSplitter splitter(template_ && prompt_opens_reasoning(prompt));
  IncrementalDecoder text(tok, /*skip_special=*/true);
  text.prime(ids);
  auto deliver = [&](const ReasoningDelta& d) {
    turn.reasoning += d.reasoning;
    turn.content += d.content;
    if (on_delta && (!d.reasoning.empty() || !d.content.empty())) on_delta(d);
  };
  turn.result = session_.generate(ids, options_.generate, [&](int32_t id) {
    deliver(splitter.push(text.push(id)));
    return true;
  });
  deliver(splitter.push(text.flush()));
  deliver(splitter.flush());

  nlohmann::ordered_json reply = {{"role", "assistant"}, {"content", turn.content}};
  if (!turn.reasoning.empty()) reply["reasoning_content"] = turn.reasoning;
  messages_.push_back(std::move(reply));
  return turn;
}

}  // namespace slm
