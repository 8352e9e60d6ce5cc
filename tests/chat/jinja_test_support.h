#pragma once
// Rendering helpers shared by the Jinja language tests.
#include <string>

#include <nlohmann/json.hpp>

#include "chat/jinja/template.h"

namespace slm::jinja::test {

// The variables the language tests render against.
inline const nlohmann::ordered_json& sample_context() {
  static const nlohmann::ordered_json ctx = nlohmann::ordered_json::parse(R"({
    "xs": [3, 1, 2], "d": {"b": 1, "a": 2, "c": {"z": [1, {"q": "é"}]}}, "s": "  Hello World  ",
    "n": 7, "f": 2.5, "e": [], "t": true, "u8": "héllo wörld",
    "messages": [{"role": "user", "content": "Hi 'there' \"x\""},
                 {"role": "assistant", "content": "ok",
                  "tool_calls": [{"function": {"name": "f", "arguments": {"a": 1, "b": [1, 2.5, null, true]}}}]}]
  })");
  return ctx;
}

inline Dict to_context(const nlohmann::ordered_json& vars) {
  Dict d;
  for (const auto& [k, v] : vars.items()) d.set(Value(k), Value::from_json(v));
  return d;
}

inline std::string render(const std::string& source, const nlohmann::ordered_json& vars = sample_context(),
                          const Limits& limits = {}) {
  return Template::parse(source).render(to_context(vars), {}, limits);
}

}  // namespace slm::jinja::test
