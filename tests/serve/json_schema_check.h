#pragma once
// A small JSON Schema checker for the subset the grammar supports, to validate generated output.
#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

namespace slm::test {

inline bool schema_accepts(const nlohmann::json& schema, const nlohmann::json& v, const nlohmann::json& root);

inline bool schema_accepts(const nlohmann::json& schema, const nlohmann::json& v) { return schema_accepts(schema, v, schema); }

inline bool type_matches(const std::string& t, const nlohmann::json& v) {
  if (t == "object") return v.is_object();
  if (t == "array") return v.is_array();
  if (t == "string") return v.is_string();
  if (t == "integer") return v.is_number_integer();
  if (t == "number") return v.is_number();
  if (t == "boolean") return v.is_boolean();
  if (t == "null") return v.is_null();
  return false;
}

inline bool schema_accepts(const nlohmann::json& s, const nlohmann::json& v, const nlohmann::json& root) {
  if (s.is_boolean()) return s.get<bool>();
  if (s.contains("$ref")) {
    std::string ref = s["$ref"];
    if (ref == "#") return schema_accepts(root, v, root);
    for (std::string p : {"#/$defs/", "#/definitions/"})
      if (ref.rfind(p, 0) == 0) return schema_accepts(root[p.substr(2, p.size() - 3)][ref.substr(p.size())], v, root);
    return false;
  }
  if (s.contains("const") && s["const"] != v) return false;
  if (s.contains("enum") && std::find(s["enum"].begin(), s["enum"].end(), v) == s["enum"].end()) return false;
  for (const char* k : {"anyOf", "oneOf"})
    if (s.contains(k)) {
      bool any = false;
      for (const auto& o : s[k]) any = any || schema_accepts(o, v, root);
      if (!any) return false;
    }
  if (s.contains("type")) {
    bool ok = false;
    if (s["type"].is_string()) ok = type_matches(s["type"], v);
    else
      for (const auto& t : s["type"]) ok = ok || type_matches(t, v);
    if (!ok) return false;
  }
  if (v.is_object()) {
    if (s.contains("required"))
      for (const auto& r : s["required"])
        if (!v.contains(r.get<std::string>())) return false;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (s.contains("properties") && s["properties"].contains(it.key())) {
        if (!schema_accepts(s["properties"][it.key()], it.value(), root)) return false;
      } else if (s.contains("additionalProperties") && s["additionalProperties"].is_boolean() &&
                 !s["additionalProperties"].get<bool>()) {
        return false;
      }
    }
  }
  if (v.is_array()) {
    if (s.contains("minItems") && v.size() < s["minItems"].get<size_t>()) return false;
    if (s.contains("maxItems") && v.size() > s["maxItems"].get<size_t>()) return false;
    if (s.contains("items"))
      for (const auto& e : v)
        if (!schema_accepts(s["items"], e, root)) return false;
  }
  if (v.is_string()) {
    // Length in code points.
    size_t n = 0;
    for (unsigned char c : v.get<std::string>()) n += (c & 0xC0) != 0x80;
    if (s.contains("minLength") && n < s["minLength"].get<size_t>()) return false;
    if (s.contains("maxLength") && n > s["maxLength"].get<size_t>()) return false;
  }
  return true;
}

}  // namespace slm::test
