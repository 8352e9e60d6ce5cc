// Python methods of str, dict and list values, as templates call them
// (`s.startswith(x)`, `d.items()`). Mutating methods are refused: the sandbox is immutable.
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

#include "chat/jinja/builtins.h"
#include "chat/jinja/format.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/text_case.h"
#include "chat/jinja/utf8.h"
#include "slm/error.h"

namespace slm::jinja {
namespace {

std::optional<std::string> optional_string(const std::optional<Value>& v, const std::string& what) {
  if (!v || v->is_none()) return std::nullopt;
  if (!v->is_string()) throw Error(what + " arg must be None or str");
  return v->as_string();
}

const std::string& require_string(const std::optional<Value>& v, const std::string& what) {
  if (!v) throw Error(what + "() missing required argument");
  if (!v->is_string()) throw Error(what + "() argument must be str, not " + v->type_name());
  return v->as_string();
}

int64_t optional_int(const std::optional<Value>& v, int64_t fallback) {
  if (!v || v->is_none()) return fallback;
  if (!v->is_int() && !v->is_bool()) throw Error("an integer is required, not " + v->type_name());
  return v->as_int();
}

List split(const std::string& s, const std::optional<std::string>& sep, int64_t maxsplit) {
  List parts;
  if (!sep) {  // runs of whitespace, ignoring leading and trailing whitespace
    auto cps = utf8::decode(s);
    size_t i = 0;
    while (true) {
      while (i < cps.size() && is_python_space(cps[i])) ++i;
      if (i >= cps.size()) break;
      if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit) {
        size_t e = cps.size();
        while (e > i && is_python_space(cps[e - 1])) --e;
        parts.emplace_back(utf8::encode(std::vector<char32_t>(cps.begin() + i, cps.begin() + e)));
        break;
      }
      size_t j = i;
      while (j < cps.size() && !is_python_space(cps[j])) ++j;
      parts.emplace_back(utf8::encode(std::vector<char32_t>(cps.begin() + i, cps.begin() + j)));
      i = j;
    }
    return parts;
  }
  if (sep->empty()) throw Error("empty separator");
  size_t start = 0;
  while (maxsplit < 0 || static_cast<int64_t>(parts.size()) < maxsplit) {
    size_t hit = s.find(*sep, start);
    if (hit == std::string::npos) break;
    parts.emplace_back(s.substr(start, hit - start));
    start = hit + sep->size();
  }
  parts.emplace_back(s.substr(start));
  return parts;
}

List rsplit(const std::string& s, const std::optional<std::string>& sep, int64_t maxsplit) {
  if (!sep || maxsplit < 0) return split(s, sep, maxsplit);
  if (sep->empty()) throw Error("empty separator");
  List reversed;
  size_t end = s.size();
  while (static_cast<int64_t>(reversed.size()) < maxsplit) {
    if (end < sep->size()) break;
    size_t hit = s.rfind(*sep, end - sep->size());
    if (hit == std::string::npos) break;
    reversed.emplace_back(s.substr(hit + sep->size(), end - hit - sep->size()));
    end = hit;
  }
  reversed.emplace_back(s.substr(0, end));
  return List(reversed.rbegin(), reversed.rend());
}

std::string replace(const std::string& s, const std::string& from, const std::string& to, int64_t count,
                    Interpreter& in) {
  std::string out;
  if (from.empty()) {  // Python inserts `to` around every character
    auto cps = utf8::decode(s);
    int64_t done = 0;
    for (size_t i = 0; i <= cps.size(); ++i) {
      if (count < 0 || done < count) {
        out += to;
        ++done;
      }
      if (i < cps.size()) utf8::append(out, cps[i]);
      in.check_string_size(out.size());
    }
    return out;
  }
  size_t start = 0;
  int64_t done = 0;
  while (count < 0 || done < count) {
    size_t hit = s.find(from, start);
    if (hit == std::string::npos) break;
    out.append(s, start, hit - start);
    out += to;
    in.check_string_size(out.size());
    start = hit + from.size();
    ++done;
  }
  out.append(s, start, std::string::npos);
  return out;
}

// Code-point offset of a byte offset, for find()/index() results.
int64_t code_point_index(const std::string& s, size_t byte_offset) {
  return static_cast<int64_t>(utf8::length(std::string_view(s).substr(0, byte_offset)));
}

// Python's str.format: {}, {0}, {name}, {{ and }}; conversions !s/!r; format specs ignored
// beyond the field itself.
std::string str_format(const std::string& fmt, const CallArgs& args) {
  std::string out;
  size_t auto_index = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    char c = fmt[i];
    if (c == '}' && i + 1 < fmt.size() && fmt[i + 1] == '}') {
      out += '}';
      ++i;
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    size_t close = fmt.find('}', i);
    if (close == std::string::npos) throw Error("Single '{' encountered in format string");
    std::string field = fmt.substr(i + 1, close - i - 1);
    i = close;
    std::string conversion;
    size_t colon = field.find(':');
    if (colon != std::string::npos) field = field.substr(0, colon);
    size_t bang = field.find('!');
    if (bang != std::string::npos) {
      conversion = field.substr(bang + 1);
      field = field.substr(0, bang);
    }
    Value v;
    if (field.empty() || std::isdigit(static_cast<unsigned char>(field[0]))) {
      if (!field.empty() && !std::all_of(field.begin(), field.end(), ::isdigit))
        throw Error("unsupported format field '" + field + "'");
      size_t index = field.empty() ? auto_index++ : (field.size() > 9 ? SIZE_MAX : std::stoul(field));
      if (index >= args.positional.size()) throw Error("Replacement index " + std::to_string(index) + " out of range");
      v = args.positional[index];
    } else {
      bool found = false;
      for (const auto& [k, value] : args.named)
        if (k == field) {
          v = value;
          found = true;
        }
      if (!found) throw Error("KeyError: '" + field + "'");
    }
    out += conversion == "r" ? python_repr(v) : python_str(v);
  }
  return out;
}

using Method = Value (*)(Interpreter&, const Value& self, const CallArgs& args);

#define METHOD(...) [](Interpreter & in, const Value& self, const CallArgs& args) -> Value { __VA_ARGS__ }

bool prefix_match(const Value& self, const std::optional<Value>& arg, bool at_start, const char* name) {
  if (!arg) throw Error(std::string(name) + "() takes at least 1 argument (0 given)");
  const std::string& s = self.as_string();
  auto matches = [&](const Value& p) {
    if (!p.is_string()) throw Error(std::string(name) + " first arg must be str or a tuple of str, not " + p.type_name());
    const std::string& x = p.as_string();
    if (x.size() > s.size()) return false;
    return at_start ? s.compare(0, x.size(), x) == 0 : s.compare(s.size() - x.size(), x.size(), x) == 0;
  };
  if (arg->is_list()) {
    for (const auto& p : arg->as_list())
      if (matches(p)) return true;
    return false;
  }
  return matches(*arg);
}

bool all_chars(const std::string& s, bool (*pred)(char32_t)) {
  auto cps = utf8::decode(s);
  if (cps.empty()) return false;
  for (char32_t c : cps)
    if (!pred(c)) return false;
  return true;
}

const std::map<std::string, Method>& string_methods() {
  static const std::map<std::string, Method> table = {
      {"startswith", METHOD({
         auto a = bind_args(args, {"prefix"}, "startswith");
         return Value(prefix_match(self, a[0], true, "startswith"));
       })},
      {"endswith", METHOD({
         auto a = bind_args(args, {"suffix"}, "endswith");
         return Value(prefix_match(self, a[0], false, "endswith"));
       })},
      {"split", METHOD({
         auto a = bind_args(args, {"sep", "maxsplit"}, "split");
         return Value::list(split(self.as_string(), optional_string(a[0], "sep"), optional_int(a[1], -1)));
       })},
      {"rsplit", METHOD({
         auto a = bind_args(args, {"sep", "maxsplit"}, "rsplit");
         return Value::list(rsplit(self.as_string(), optional_string(a[0], "sep"), optional_int(a[1], -1)));
       })},
      {"splitlines", METHOD({
         List lines = split(self.as_string(), std::string("\n"), -1);
         if (!lines.empty() && lines.back().as_string().empty()) lines.pop_back();
         return Value::list(std::move(lines));
       })},
      {"strip", METHOD({
         auto a = bind_args(args, {"chars"}, "strip");
         return Value(strip_chars(self.as_string(), optional_string(a[0], "strip"), true, true));
       })},
      {"lstrip", METHOD({
         auto a = bind_args(args, {"chars"}, "lstrip");
         return Value(strip_chars(self.as_string(), optional_string(a[0], "lstrip"), true, false));
       })},
      {"rstrip", METHOD({
         auto a = bind_args(args, {"chars"}, "rstrip");
         return Value(strip_chars(self.as_string(), optional_string(a[0], "rstrip"), false, true));
       })},
      {"replace", METHOD({
         auto a = bind_args(args, {"old", "new", "count"}, "replace");
         return Value(replace(self.as_string(), require_string(a[0], "replace"), require_string(a[1], "replace"),
                              optional_int(a[2], -1), in));
       })},
      {"removeprefix", METHOD({
         auto a = bind_args(args, {"prefix"}, "removeprefix");
         const std::string& s = self.as_string();
         const std::string& p = require_string(a[0], "removeprefix");
         return Value(s.compare(0, p.size(), p) == 0 ? s.substr(p.size()) : s);
       })},
      {"removesuffix", METHOD({
         auto a = bind_args(args, {"suffix"}, "removesuffix");
         const std::string& s = self.as_string();
         const std::string& p = require_string(a[0], "removesuffix");
         bool ends = p.size() <= s.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
         return Value(ends && !p.empty() ? s.substr(0, s.size() - p.size()) : s);
       })},
      {"partition", METHOD({
         auto a = bind_args(args, {"sep"}, "partition");
         const std::string& s = self.as_string();
         const std::string& sep = require_string(a[0], "partition");
         if (sep.empty()) throw Error("empty separator");
         size_t hit = s.find(sep);
         if (hit == std::string::npos) return Value::list({Value(s), Value(""), Value("")}, true);
         return Value::list({Value(s.substr(0, hit)), Value(sep), Value(s.substr(hit + sep.size()))}, true);
       })},
      {"rpartition", METHOD({
         auto a = bind_args(args, {"sep"}, "rpartition");
         const std::string& s = self.as_string();
         const std::string& sep = require_string(a[0], "rpartition");
         if (sep.empty()) throw Error("empty separator");
         size_t hit = s.rfind(sep);
         if (hit == std::string::npos) return Value::list({Value(""), Value(""), Value(s)}, true);
         return Value::list({Value(s.substr(0, hit)), Value(sep), Value(s.substr(hit + sep.size()))}, true);
       })},
      {"zfill", METHOD({
         auto a = bind_args(args, {"width"}, "zfill");
         std::string s = self.as_string();
         int64_t width = optional_int(a[0], 0), n = static_cast<int64_t>(utf8::length(s));
         if (width <= n) return Value(s);
         size_t sign = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
         s.insert(sign, static_cast<size_t>(width - n), '0');
         return Value(s);
       })},
      {"ljust", METHOD({
         auto a = bind_args(args, {"width"}, "ljust");
         std::string s = self.as_string();
         int64_t pad = optional_int(a[0], 0) - static_cast<int64_t>(utf8::length(s));
         in.check_string_size(s.size() + static_cast<size_t>(std::max<int64_t>(0, pad)));
         return Value(pad > 0 ? s + std::string(static_cast<size_t>(pad), ' ') : s);
       })},
      {"rjust", METHOD({
         auto a = bind_args(args, {"width"}, "rjust");
         std::string s = self.as_string();
         int64_t pad = optional_int(a[0], 0) - static_cast<int64_t>(utf8::length(s));
         in.check_string_size(s.size() + static_cast<size_t>(std::max<int64_t>(0, pad)));
         return Value(pad > 0 ? std::string(static_cast<size_t>(pad), ' ') + s : s);
       })},
      {"lower", METHOD({ return Value(lower(self.as_string())); })},
      {"upper", METHOD({ return Value(upper(self.as_string())); })},
      {"casefold", METHOD({ return Value(lower(self.as_string())); })},
      {"title", METHOD({ return Value(title(self.as_string())); })},
      {"capitalize", METHOD({ return Value(capitalize(self.as_string())); })},
      {"find", METHOD({
         auto a = bind_args(args, {"sub"}, "find");
         size_t hit = self.as_string().find(require_string(a[0], "find"));
         return Value(hit == std::string::npos ? int64_t{-1} : code_point_index(self.as_string(), hit));
       })},
      {"rfind", METHOD({
         auto a = bind_args(args, {"sub"}, "rfind");
         size_t hit = self.as_string().rfind(require_string(a[0], "rfind"));
         return Value(hit == std::string::npos ? int64_t{-1} : code_point_index(self.as_string(), hit));
       })},
      {"index", METHOD({
         auto a = bind_args(args, {"sub"}, "index");
         size_t hit = self.as_string().find(require_string(a[0], "index"));
         if (hit == std::string::npos) throw Error("substring not found");
         return Value(code_point_index(self.as_string(), hit));
       })},
      {"count", METHOD({
         auto a = bind_args(args, {"sub"}, "count");
         const std::string& sub = require_string(a[0], "count");
         const std::string& s = self.as_string();
         if (sub.empty()) return Value(static_cast<int64_t>(utf8::length(s) + 1));
         int64_t n = 0;
         for (size_t p = s.find(sub); p != std::string::npos; p = s.find(sub, p + sub.size())) ++n;
         return Value(n);
       })},
      {"join", METHOD({
         auto a = bind_args(args, {"iterable"}, "join");
         if (!a[0]) throw Error("join() takes exactly one argument");
         std::string out;
         bool first = true;
         for (const auto& item : iterate(*a[0])) {
           if (!item.is_string()) throw Error("sequence item: expected str instance, " + item.type_name() + " found");
           if (!first) out += self.as_string();
           first = false;
           out += item.as_string();
           in.check_string_size(out.size());
         }
         return Value(out);
       })},
      {"format", METHOD({
         std::string out = str_format(self.as_string(), args);
         in.check_string_size(out.size());
         return Value(out);
       })},
      {"isnumeric", METHOD({ return Value(all_chars(self.as_string(), [](char32_t c) { return c >= '0' && c <= '9'; })); })},
      {"isdecimal", METHOD({ return Value(all_chars(self.as_string(), [](char32_t c) { return c >= '0' && c <= '9'; })); })},
      {"isdigit", METHOD({ return Value(all_chars(self.as_string(), [](char32_t c) { return c >= '0' && c <= '9'; })); })},
      {"isalpha", METHOD({ return Value(all_chars(self.as_string(), [](char32_t c) { return is_cased_letter(c); })); })},
      {"isalnum", METHOD({
         return Value(all_chars(self.as_string(), [](char32_t c) { return is_cased_letter(c) || (c >= '0' && c <= '9'); }));
       })},
      {"isspace", METHOD({ return Value(all_chars(self.as_string(), is_python_space)); })},
      {"islower", METHOD({
         const std::string& s = self.as_string();
         return Value(lower(s) == s && upper(s) != s);
       })},
      {"isupper", METHOD({
         const std::string& s = self.as_string();
         return Value(upper(s) == s && lower(s) != s);
       })},
  };
  return table;
}

const std::map<std::string, Method>& dict_methods() {
  static const std::map<std::string, Method> table = {
      {"items", METHOD({
         List items;
         for (const auto& [k, v] : self.as_dict().items()) items.push_back(Value::list({k, v}, true));
         return Value::list(std::move(items));
       })},
      {"keys", METHOD({ return Value::list(iterate(self)); })},
      {"values", METHOD({
         List values;
         for (const auto& [k, v] : self.as_dict().items()) values.push_back(v);
         return Value::list(std::move(values));
       })},
      {"get", METHOD({
         auto a = bind_args(args, {"key", "default"}, "get");
         if (!a[0]) throw Error("get expected at least 1 argument, got 0");
         if (const Value* v = self.as_dict().find(*a[0])) return *v;
         return a[1] ? *a[1] : Value::none();
       })},
      {"copy", METHOD({ return Value::dict(self.as_dict()); })},
  };
  return table;
}

const std::map<std::string, Method>& list_methods() {
  static const std::map<std::string, Method> table = {
      {"index", METHOD({
         auto a = bind_args(args, {"value"}, "index");
         const List& items = self.as_list();
         for (size_t i = 0; i < items.size(); ++i)
           if (a[0] && values_equal(items[i], *a[0])) return Value(static_cast<int64_t>(i));
         throw Error("value is not in list");
       })},
      {"count", METHOD({
         auto a = bind_args(args, {"value"}, "count");
         int64_t n = 0;
         for (const auto& item : self.as_list())
           if (a[0] && values_equal(item, *a[0])) ++n;
         return Value(n);
       })},
      {"copy", METHOD({ return Value::list(self.as_list()); })},
  };
  return table;
}

#undef METHOD

const std::set<std::string> kMutatingMethods = {"append", "extend", "insert", "pop",   "remove",     "sort",
                                                "reverse", "clear", "update", "popitem", "setdefault", "add",
                                                "discard"};

}  // namespace

std::optional<Value> find_method(const Value& obj, const std::string& name) {
  const std::map<std::string, Method>* table = nullptr;
  if (obj.is_string()) table = &string_methods();
  else if (obj.is_dict()) table = &dict_methods();
  else if (obj.is_list()) table = &list_methods();
  if (!table) return std::nullopt;
  auto it = table->find(name);
  if (it == table->end()) {
    if (!obj.is_string() && kMutatingMethods.count(name))
      throw Error("access to attribute '" + name + "' of '" + obj.type_name() + "' object is unsafe.");
    return std::nullopt;
  }
  Method m = it->second;
  Value self = obj;
  return Value::callable(name, [m, self](Interpreter& in, CallArgs& args) { return m(in, self, args); });
}

}  // namespace slm::jinja
