#pragma once
// Renders a model's chat template like transformers' apply_chat_template(tokenize=False).
#include <ctime>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "chat/jinja/template.h"

namespace slm {

class ChatTemplate {
 public:
  // Throws slm::Error (with the template line) when the template does not parse.
  static ChatTemplate from_string(std::string source);

  // Template variables: messages, tools (none when null), documents (none),
  // add_generation_prompt, the special tokens that are set, then every key of
  // `extra_kwargs` (which wins over a special token of the same name).
  // Throws slm::Error on template errors; raise_exception(msg) gives exactly msg.
  // Dict keys render in the JSON value's order, so pass ordered_json (parsed from the
  // request) for output identical to Python; nlohmann::json sorts its keys.
  std::string apply(const nlohmann::ordered_json& messages, const nlohmann::ordered_json& tools,
                    bool add_generation_prompt,
                    const nlohmann::ordered_json& extra_kwargs = nlohmann::ordered_json::object()) const;
  std::string apply(const nlohmann::json& messages, const nlohmann::json& tools, bool add_generation_prompt,
                    const nlohmann::json& extra_kwargs = nlohmann::json::object()) const;

  // nullopt leaves the variable undefined, as a tokenizer without that token does.
  void set_special_tokens(std::optional<std::string> bos_token, std::optional<std::string> eos_token);
  // The time strftime_now() formats; nullopt = the current local time.
  void set_clock(std::optional<std::tm> now) { clock_ = now; }
  void set_limits(const jinja::Limits& limits) { limits_ = limits; }

  const std::string& source() const { return source_; }
  const std::optional<std::string>& bos_token() const { return bos_token_; }
  const std::optional<std::string>& eos_token() const { return eos_token_; }

  // "2025-07-08T10:30:00" (a date alone, or a space instead of T, also accepted).
  static std::tm parse_iso_datetime(const std::string& text);

 private:
  std::string source_;
  jinja::Template template_;
  std::optional<std::string> bos_token_, eos_token_;
  std::optional<std::tm> clock_;
  jinja::Limits limits_;
};

}  // namespace slm
