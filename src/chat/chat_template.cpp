#include "chat/chat_template.h"

#include <cstdio>

#include "chat/jinja/errors.h"
#include "chat/jinja/format.h"
#include "slm/error.h"

namespace slm {

using jinja::Value;

ChatTemplate ChatTemplate::from_string(std::string source) {
  ChatTemplate t;
  t.template_ = jinja::Template::parse(source);
  t.source_ = std::move(source);
  return t;
}

void ChatTemplate::set_special_tokens(std::optional<std::string> bos_token, std::optional<std::string> eos_token) {
  bos_token_ = std::move(bos_token);
  eos_token_ = std::move(eos_token);
}

std::tm ChatTemplate::parse_iso_datetime(const std::string& text) {
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  char sep = 'T';
  int n = std::sscanf(text.c_str(), "%d-%d-%d%c%d:%d:%d", &year, &month, &day, &sep, &hour, &minute, &second);
  if (n != 3 && n < 6) throw Error("not an ISO date-time: '" + text + "'");
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    throw Error("date-time out of range: '" + text + "'");
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  // Normalise through UTC so the weekday and day of year (%a, %j) are filled in.
  time_t t = timegm(&tm);
  std::tm normalized{};
  gmtime_r(&t, &normalized);
  return normalized;
}

static std::tm current_local_time() {
  time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  return tm;
}

std::string ChatTemplate::apply(const nlohmann::json& messages, const nlohmann::json& tools,
                                bool add_generation_prompt, const nlohmann::json& extra_kwargs) const {
  return apply(nlohmann::ordered_json(messages), nlohmann::ordered_json(tools), add_generation_prompt,
               nlohmann::ordered_json(extra_kwargs));
}

std::string ChatTemplate::apply(const nlohmann::ordered_json& messages, const nlohmann::ordered_json& tools,
                                bool add_generation_prompt, const nlohmann::ordered_json& extra_kwargs) const {
  jinja::Dict context;
  context.set(Value("messages"), Value::from_json(messages));
  context.set(Value("tools"), Value::from_json(tools));
  context.set(Value("documents"), Value::none());
  context.set(Value("add_generation_prompt"), Value(add_generation_prompt));
  if (bos_token_) context.set(Value("bos_token"), Value(*bos_token_));
  if (eos_token_) context.set(Value("eos_token"), Value(*eos_token_));
  if (!extra_kwargs.is_null()) {
    if (!extra_kwargs.is_object()) throw Error("chat template: extra arguments must be a JSON object");
    for (const auto& [k, v] : extra_kwargs.items()) context.set(Value(k), Value::from_json(v));
  }

  jinja::Dict globals;
  globals.set(Value("raise_exception"), Value::callable("raise_exception", [](jinja::Interpreter&, jinja::CallArgs& a) -> Value {
                throw jinja::RaisedError(a.positional.empty() ? std::string() : jinja::python_str(a.positional[0]));
              }));
  std::optional<std::tm> clock = clock_;
  globals.set(Value("strftime_now"), Value::callable("strftime_now", [clock](jinja::Interpreter&, jinja::CallArgs& a) -> Value {
                if (a.positional.size() != 1 || !a.positional[0].is_string())
                  throw Error("strftime_now() takes one format string");
                std::tm now = clock ? *clock : current_local_time();
                const std::string& fmt = a.positional[0].as_string();
                if (fmt.empty()) return Value("");
                std::string buf(fmt.size() * 8 + 64, '\0');
                // 0 means an empty result (or one too long for the buffer, which these
                // bounded formats cannot produce).
                size_t n = std::strftime(buf.data(), buf.size(), fmt.c_str(), &now);
                buf.resize(n);
                return Value(buf);
              }));
  return template_.render(context, globals, limits_);
}

}  // namespace slm
