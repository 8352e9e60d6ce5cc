#include "chat/jinja/builtins.h"

#include <cmath>
#include <cstdio>

#include "chat/jinja/format.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/text_case.h"
#include "chat/jinja/utf8.h"
#include "slm/error.h"

namespace slm::jinja {

std::vector<std::optional<Value>> bind_args(const CallArgs& args, std::initializer_list<const char*> params,
                                            const std::string& function_name) {
  std::vector<const char*> names(params);
  std::vector<std::optional<Value>> bound(names.size());
  if (args.positional.size() > names.size())
    throw Error(function_name + "() takes at most " + std::to_string(names.size()) + " argument(s), " +
                std::to_string(args.positional.size()) + " given");
  for (size_t i = 0; i < args.positional.size(); ++i) bound[i] = args.positional[i];
  for (const auto& [key, value] : args.named) {
    size_t i = 0;
    while (i < names.size() && key != names[i]) ++i;
    if (i == names.size()) throw Error(function_name + "() got an unexpected keyword argument '" + key + "'");
    if (bound[i]) throw Error(function_name + "() got multiple values for argument '" + key + "'");
    bound[i] = value;
  }
  return bound;
}

List iterate(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Undefined: return {};  // Jinja's Undefined iterates as empty
    case Value::Kind::List: return v.as_list();
    case Value::Kind::Dict: {
      List keys;
      for (const auto& [k, e] : v.as_dict().items()) keys.push_back(k);
      return keys;
    }
    case Value::Kind::String: {
      List chars;
      for (char32_t c : utf8::decode(v.as_string())) {
        std::string ch;
        utf8::append(ch, c);
        chars.emplace_back(ch);
      }
      return chars;
    }
    default: throw Error("'" + v.type_name() + "' object is not iterable");
  }
}

std::string strip_chars(const std::string& s, const std::optional<std::string>& chars, bool left, bool right) {
  auto cps = utf8::decode(s);
  std::vector<char32_t> set;
  if (chars) set = utf8::decode(*chars);
  auto strippable = [&](char32_t c) {
    if (!chars) return is_python_space(c);
    for (char32_t x : set)
      if (x == c) return true;
    return false;
  };
  size_t b = 0, e = cps.size();
  if (left)
    while (b < e && strippable(cps[b])) ++b;
  if (right)
    while (e > b && strippable(cps[e - 1])) --e;
  return utf8::encode(std::vector<char32_t>(cps.begin() + b, cps.begin() + e));
}

std::string percent_format(const std::string& fmt, const Value& args) {
  List positional;
  const Value* mapping = nullptr;
  if (args.is_tuple()) positional = args.as_list();
  else if (args.is_dict()) mapping = &args;
  else positional.push_back(args);
  size_t next_arg = 0;
  std::string out;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out += fmt[i];
      continue;
    }
    if (++i >= fmt.size()) throw Error("incomplete format");
    Value arg;
    bool have_arg = false;
    if (fmt[i] == '(') {
      size_t close = fmt.find(')', i);
      if (close == std::string::npos || !mapping) throw Error("format requires a mapping");
      const Value* v = mapping->as_dict().find(fmt.substr(i + 1, close - i - 1));
      if (!v) throw Error("format key '" + fmt.substr(i + 1, close - i - 1) + "' missing");
      arg = *v;
      have_arg = true;
      i = close + 1;
    }
    std::string spec = "%";
    while (i < fmt.size() && std::string("-+ #0").find(fmt[i]) != std::string::npos) spec += fmt[i++];
    while (i < fmt.size() && (std::isdigit(static_cast<unsigned char>(fmt[i])) || fmt[i] == '.')) spec += fmt[i++];
    if (i >= fmt.size()) throw Error("incomplete format");
    char type = fmt[i];
    if (type == '%') {
      out += '%';
      continue;
    }
    if (!have_arg) {
      if (mapping) {
        arg = *mapping;
      } else {
        if (next_arg >= positional.size()) throw Error("not enough arguments for format string");
        arg = positional[next_arg++];
      }
    }
    char buf[512];
    switch (type) {
      case 's':
      case 'r': {
        std::string text = type == 's' ? python_str(arg) : python_repr(arg);
        if (spec == "%") {
          out += text;
        } else {
          std::snprintf(buf, sizeof buf, (spec + "s").c_str(), text.c_str());
          out += buf;
        }
        break;
      }
      case 'd':
      case 'i':
      case 'x':
      case 'X':
      case 'o': {
        if (!arg.is_number()) throw Error("%" + std::string(1, type) + " format: a number is required, not " + arg.type_name());
        long long n = arg.is_float() ? static_cast<long long>(arg.as_double()) : arg.as_int();
        std::snprintf(buf, sizeof buf, (spec + "ll" + (type == 'i' ? 'd' : type)).c_str(), n);
        out += buf;
        break;
      }
      case 'f':
      case 'F':
      case 'e':
      case 'E':
      case 'g':
      case 'G': {
        if (!arg.is_number()) throw Error("must be real number, not " + arg.type_name());
        std::snprintf(buf, sizeof buf, (spec + type).c_str(), arg.as_double());
        out += buf;
        break;
      }
      case 'c': {
        if (arg.is_string()) out += arg.as_string();
        else utf8::append(out, static_cast<char32_t>(arg.as_int()));
        break;
      }
      default: throw Error(std::string("unsupported format character '") + type + "'");
    }
  }
  // Like Python, a non-tuple argument that supports indexing (list, dict) is not
  // required to be consumed.
  bool indexable = args.is_dict() || (args.is_list() && !args.is_tuple());
  if (!indexable && next_arg < positional.size()) throw Error("not all arguments converted during string formatting");
  return out;
}

}  // namespace slm::jinja
