#pragma once
// Small typed accessors for tokenizer.json that fail with slm::Error naming where they looked.
#include <string>

#include <nlohmann/json.hpp>

#include "slm/error.h"

namespace slm::json_util {

inline const nlohmann::json& field(const nlohmann::json& j, const char* key, const std::string& context) {
  if (!j.is_object()) throw Error(context + ": expected an object");
  auto it = j.find(key);
  if (it == j.end()) throw Error(context + ": missing \"" + key + "\"");
  return *it;
}

inline std::string str(const nlohmann::json& j, const char* key, const std::string& context) {
  const auto& v = field(j, key, context);
  if (!v.is_string()) throw Error(context + ": \"" + key + "\" must be a string");
  return v.get<std::string>();
}

template <typename T>
T get_or(const nlohmann::json& j, const char* key, T fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    return fallback;
  }
}

inline std::string type_of(const nlohmann::json& j, const std::string& context) {
  return str(j, "type", context);
}

// A Split/Replace "pattern": {"String": "..."} or {"Regex": "..."}.
struct Pattern {
  bool is_regex = false;
  std::string text;
};
inline Pattern pattern(const nlohmann::json& j, const std::string& context) {
  const auto& p = field(j, "pattern", context);
  if (p.is_object() && p.contains("String") && p["String"].is_string()) return {false, p["String"].get<std::string>()};
  if (p.is_object() && p.contains("Regex") && p["Regex"].is_string()) return {true, p["Regex"].get<std::string>()};
  throw Error(context + ": \"pattern\" must be {\"String\": …} or {\"Regex\": …}");
}

}  // namespace slm::json_util
