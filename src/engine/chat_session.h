#pragma once
// A multi-turn conversation with a model: messages rendered through the model's own chat
// template, the answer generated and split into reasoning and content as it streams, and the
// KV cache of the unchanged conversation prefix reused on the next turn. A model without a
// template (a base model) continues the running text instead: each message is appended to it.
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "chat/chat_template.h"
#include "chat/reasoning_stream.h"
#include "engine/engine.h"

namespace slm {

struct ChatOptions {
  std::string system;                  // "" = no system message
  std::optional<bool> enable_thinking;  // passed to the template when set
  GenerateOptions generate;
};

struct ChatTurn {
  std::vector<int32_t> prompt_ids;  // the whole conversation as sent to the model
  std::string reasoning, content;
  GenerationResult result;  // ids, finish reason, reused/processed prompt tokens, timings
};

class ChatSession {
 public:
  // Throws slm::Error when the model has no tokenizer.
  ChatSession(Engine& engine, ChatOptions options, int64_t context);

  // Adds the user message, generates the reply (streamed to on_delta) and records it.
  ChatTurn send(const std::string& user_text, const std::function<void(const ReasoningDelta&)>& on_delta = nullptr);
  void reset();  // forget the conversation (the KV cache is reused only where it still matches)

  const nlohmann::ordered_json& messages() const { return messages_; }
  bool has_template() const { return template_.has_value(); }
  // Tokens whose keys/values the KV cache holds.
  const std::vector<int32_t>& cached_tokens() const { return session_.cached_tokens(); }
  // The prompt text the template renders for the conversation so far plus a generation prompt.
  std::string render_prompt() const;

 private:
  Engine& engine_;
  ChatOptions options_;
  std::optional<ChatTemplate> template_;
  Session session_;
  nlohmann::ordered_json messages_ = nlohmann::ordered_json::array();
};

}  // namespace slm
