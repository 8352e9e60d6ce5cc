#pragma once
// Python's textual forms of template values: str() for output, repr() for containers,
// and json.dumps(ensure_ascii=False) for the `tojson` filter.
#include <optional>
#include <string>

#include "chat/jinja/value.h"

namespace slm::jinja {

std::string float_repr(double d);
std::string python_repr(const Value& v);
std::string python_str(const Value& v);

struct JsonStyle {
  std::optional<std::string> indent;  // per-level indent; nullopt = single line
  std::string item_separator = ", ";
  std::string key_separator = ": ";
  bool sort_keys = false;
  bool ensure_ascii = false;  // escape non-ASCII as \uXXXX
};
std::string to_json(const Value& v, const JsonStyle& style);

// markupsafe.escape: & < > " ' as HTML entities.
std::string html_escape(const std::string& s);

}  // namespace slm::jinja
