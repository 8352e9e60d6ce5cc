#pragma once
// Registries of the built-in filters, tests and methods of Python values, and the
// Python-style argument binding they share.
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "chat/jinja/value.h"

namespace slm::jinja {

// Binds positional and keyword arguments to `params` in order, as Python does.
// Missing parameters stay nullopt; unknown keywords or surplus arguments throw.
std::vector<std::optional<Value>> bind_args(const CallArgs& args, std::initializer_list<const char*> params,
                                            const std::string& function_name);

using FilterFn = Value (*)(Interpreter&, const Value& input, const CallArgs& args);
using TestFn = bool (*)(Interpreter&, const Value& input, const CallArgs& args);

FilterFn find_filter(const std::string& name);
// Jinja2 built-in filters this interpreter does not provide (HTML/URL helpers, random):
// templates naming them still parse, and fail only if the filter actually runs.
bool is_unsupported_jinja_filter(const std::string& name);
TestFn find_test(const std::string& name);

// `obj.name` for a Python method of a str, list or dict (bound to obj), or nullopt.
// Mutating methods throw: the sandbox is immutable.
std::optional<Value> find_method(const Value& obj, const std::string& name);

// Items a `for` loop (or list()) visits: list items, dict keys, string characters.
List iterate(const Value& v);

// Python str.strip family with an optional character set (nullopt = whitespace).
std::string strip_chars(const std::string& s, const std::optional<std::string>& chars, bool left, bool right);

// Python `fmt % args` (%s %r %d %i %f %x %% with flags, width and precision).
std::string percent_format(const std::string& fmt, const Value& args);

}  // namespace slm::jinja
