// Jinja2's built-in filters (`x | trim`, `xs | map(attribute='name') | join(', ')`),
// plus `tojson` as transformers defines it: json.dumps(ensure_ascii=False).
#include <algorithm>
#include <cmath>
#include <map>

#include "chat/jinja/builtins.h"
#include "chat/jinja/format.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/text_case.h"
#include "chat/jinja/utf8.h"
#include "slm/error.h"

namespace slm::jinja {
namespace {

std::string text_of(const Value& v) { return python_str(v); }

bool flag(const std::optional<Value>& v, bool fallback) { return v ? v->truthy() : fallback; }

int64_t int_arg(const std::optional<Value>& v, int64_t fallback, const char* what) {
  if (!v || v->is_none()) return fallback;
  if (!v->is_int() && !v->is_bool()) throw Error(std::string(what) + " must be an integer");
  return v->as_int();
}

size_t length_of(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Undefined: return 0;
    case Value::Kind::String: return utf8::length(v.as_string());
    case Value::Kind::List: return v.as_list().size();
    case Value::Kind::Dict:
    case Value::Kind::Namespace: return v.as_dict().size();
    default: throw Error("object of type '" + v.type_name() + "' has no len()");
  }
}

// `attribute='a.b.0'` paths used by map/sort/selectattr/...
Value attribute_path(Interpreter& in, Value v, const std::string& path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    bool numeric = !part.empty() && part.size() < 18 && std::all_of(part.begin(), part.end(), ::isdigit);
    v = numeric ? in.get_item(v, Value(static_cast<int64_t>(std::stoll(part)))) : in.get_item(v, Value(part));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return v;
}

// Sort key: lowercased strings unless case-sensitive.
Value sort_key(const Value& v, bool case_sensitive) {
  if (!case_sensitive && v.is_string()) return Value(lower(v.as_string()));
  return v;
}

List sorted(Interpreter& in, const List& items, bool reverse, bool case_sensitive,
            const std::optional<Value>& attribute) {
  std::vector<std::pair<Value, Value>> keyed;
  for (const auto& item : items) {
    Value key = attribute && !attribute->is_none() ? attribute_path(in, item, text_of(*attribute)) : item;
    keyed.emplace_back(sort_key(key, case_sensitive), item);
  }
  std::stable_sort(keyed.begin(), keyed.end(), [reverse](const auto& a, const auto& b) {
    return reverse ? value_less(b.first, a.first) : value_less(a.first, b.first);
  });
  List out;
  for (auto& [k, v] : keyed) out.push_back(std::move(v));
  return out;
}

// Jinja's select family skips a falsy input (none, false, 0) instead of iterating it.
List items_if_truthy(const Value& v) { return v.truthy() ? iterate(v) : List{}; }

// select/reject: `test_name, *test_args` from the filter's positional arguments.
List select_items(Interpreter& in, const List& items, const CallArgs& args, size_t first, bool keep,
                  const std::optional<std::string>& attribute) {
  List out;
  if (items.empty()) return out;
  CallArgs test_args;
  for (size_t i = first + 1; i < args.positional.size(); ++i) test_args.positional.push_back(args.positional[i]);
  for (const auto& item : items) {
    Value subject = attribute ? attribute_path(in, item, *attribute) : item;
    bool passed;
    if (args.positional.size() <= first) passed = subject.truthy();
    else passed = in.apply_test(text_of(args.positional[first]), subject, test_args);
    if (passed == keep) out.push_back(item);
  }
  return out;
}

Value filter_tojson(Interpreter& in, const Value& v, const CallArgs& args) {
  auto a = bind_args(args, {"ensure_ascii", "indent", "separators", "sort_keys"}, "tojson");
  JsonStyle style;
  style.ensure_ascii = flag(a[0], false);
  if (a[1] && !a[1]->is_none()) {
    if (a[1]->is_string()) style.indent = a[1]->as_string();
    else style.indent = std::string(static_cast<size_t>(std::max<int64_t>(0, int_arg(a[1], 0, "indent"))), ' ');
    style.item_separator = ",";
  }
  if (a[2] && !a[2]->is_none()) {
    List seps = iterate(*a[2]);
    if (seps.size() != 2 || !seps[0].is_string() || !seps[1].is_string())
      throw Error("tojson separators must be a pair of strings");
    style.item_separator = seps[0].as_string();
    style.key_separator = seps[1].as_string();
  }
  style.sort_keys = flag(a[3], false);
  std::string out = to_json(v, style);
  in.check_string_size(out.size());
  return Value(out);
}

Value filter_join(Interpreter& in, const Value& v, const CallArgs& args) {
  auto a = bind_args(args, {"d", "attribute"}, "join");
  std::string sep = a[0] ? text_of(*a[0]) : "";
  std::string out;
  bool first = true;
  for (const auto& item : iterate(v)) {
    if (!first) out += sep;
    first = false;
    out += text_of(a[1] && !a[1]->is_none() ? attribute_path(in, item, text_of(*a[1])) : item);
    in.check_string_size(out.size());
  }
  return Value(out);
}

Value filter_default(Interpreter&, const Value& v, const CallArgs& args) {
  auto a = bind_args(args, {"default_value", "boolean"}, "default");
  bool use_default = v.is_undefined() || (flag(a[1], false) && !v.truthy());
  if (!use_default) return v;
  return a[0] ? *a[0] : Value("");
}

Value filter_length(Interpreter&, const Value& v, const CallArgs&) {
  return Value(static_cast<int64_t>(length_of(v)));
}

Value filter_map(Interpreter& in, const Value& v, const CallArgs& args) {
  List out;
  const Value* attribute = nullptr;
  const Value* fallback = nullptr;
  for (const auto& [k, value] : args.named) {
    if (k == "attribute") attribute = &value;
    else if (k == "default") fallback = &value;
    else throw Error("map() got an unexpected keyword argument '" + k + "'");
  }
  if (attribute) {
    for (const auto& item : iterate(v)) {
      Value x = attribute_path(in, item, text_of(*attribute));
      out.push_back(x.is_undefined() && fallback ? *fallback : x);
    }
    return Value::list(std::move(out));
  }
  if (args.positional.empty()) throw Error("map requires a filter argument");
  std::string filter = text_of(args.positional[0]);
  CallArgs rest;
  rest.positional.assign(args.positional.begin() + 1, args.positional.end());
  for (const auto& item : iterate(v)) out.push_back(in.apply_filter(filter, item, rest));
  return Value::list(std::move(out));
}

Value filter_round(Interpreter&, const Value& v, const CallArgs& args) {
  auto a = bind_args(args, {"precision", "method"}, "round");
  int64_t precision = int_arg(a[0], 0, "precision");
  std::string method = a[1] ? text_of(*a[1]) : "common";
  if (!v.is_number()) throw Error("round() needs a number");
  if (!v.is_float() && (method == "common" || precision >= 0)) return Value(v.as_int());  // Python keeps ints
  double scale = std::pow(10.0, static_cast<double>(precision));
  double x = v.as_double() * scale;
  double r;
  if (method == "common") r = std::nearbyint(x);  // Python rounds half to even
  else if (method == "ceil") r = std::ceil(x);
  else if (method == "floor") r = std::floor(x);
  else throw Error("method must be common, ceil or floor");
  return Value(r / scale);
}

Value filter_int(Interpreter&, const Value& v, const CallArgs& args) {
  auto a = bind_args(args, {"default", "base"}, "int");
  if (v.is_undefined()) fail_undefined(v);
  Value fallback = a[0] ? *a[0] : Value(0);
  int base = static_cast<int>(int_arg(a[1], 10, "base"));
  if (v.is_int() || v.is_bool()) return Value(v.as_int());
  if (v.is_float()) return Value(static_cast<int64_t>(v.as_double()));
  if (v.is_string()) {
    std::string s = strip_chars(v.as_string(), std::nullopt, true, true);
    try {
      size_t pos = 0;
      long long n = std::stoll(s, &pos, base);
      if (pos == s.size()) return Value(static_cast<int64_t>(n));
      double d = std::stod(s, &pos);
      if (pos == s.size()) return Value(static_cast<int64_t>(d));
    } catch (const std::exception&) {
    }
  }
  return fallback;
}

Value filter_float(Interpreter&, const Value& v, const CallArgs& args) {
  auto a = bind_args(args, {"default"}, "float");
  if (v.is_undefined()) fail_undefined(v);
  Value fallback = a[0] ? *a[0] : Value(0.0);
  if (v.is_number()) return Value(v.as_double());
  if (v.is_string()) {
    std::string s = strip_chars(v.as_string(), std::nullopt, true, true);
    try {
      size_t pos = 0;
      double d = std::stod(s, &pos);
      if (pos == s.size()) return Value(d);
    } catch (const std::exception&) {
    }
  }
  return fallback;
}

Value filter_unique(Interpreter& in, const Value& v, const CallArgs& args) {
  auto a = bind_args(args, {"case_sensitive", "attribute"}, "unique");
  bool case_sensitive = flag(a[0], false);
  List out, seen;
  for (const auto& item : iterate(v)) {
    Value key = a[1] && !a[1]->is_none() ? attribute_path(in, item, text_of(*a[1])) : item;
    key = sort_key(key, case_sensitive);
    bool dup = false;
    for (const auto& s : seen)
      if (values_equal(s, key)) dup = true;
    if (dup) continue;
    seen.push_back(key);
    out.push_back(item);
  }
  return Value::list(std::move(out));
}

Value min_max(Interpreter& in, const Value& v, const CallArgs& args, bool want_max) {
  auto a = bind_args(args, {"case_sensitive", "attribute"}, want_max ? "max" : "min");
  List items = iterate(v);
  if (items.empty()) return Value::undefined("no items to compare");
  List s = sorted(in, items, false, flag(a[0], false), a[1]);
  return want_max ? s.back() : s.front();
}

// Python str.splitlines for the common line breaks (\n, \r\n, \r).
std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  std::string line;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' || s[i] == '\r') {
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      lines.push_back(line);
      line.clear();
    } else {
      line += s[i];
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

// Jinja's indent: every line after the first gets the indent (blank lines only with
// blank=true); the first line only with first=true.
Value filter_indent(Interpreter& in, const Value& v, const CallArgs& args) {
  auto a = bind_args(args, {"width", "first", "blank"}, "indent");
  std::string pad = a[0] && a[0]->is_string() ? a[0]->as_string()
                                              : std::string(static_cast<size_t>(int_arg(a[0], 4, "width")), ' ');
  bool first = flag(a[1], false), blank = flag(a[2], false);
  std::vector<std::string> lines = split_lines(text_of(v) + "\n");
  std::string out = lines.empty() ? "" : lines[0];
  for (size_t i = 1; i < lines.size(); ++i) {
    out += '\n';
    if (blank || !lines[i].empty()) out += pad;
    out += lines[i];
    in.check_string_size(out.size());
  }
  if (first) out = pad + out;
  return Value(out);
}

// groupby(attribute): (grouper, list) tuples, sorted by the key; keys compare
// case-insensitively by default but the grouper keeps the first item's spelling.
Value filter_groupby(Interpreter& in, const Value& v, const CallArgs& args) {
  auto a = bind_args(args, {"attribute", "default", "case_sensitive"}, "groupby");
  if (!a[0]) throw Error("groupby() needs an attribute");
  std::string attribute = text_of(*a[0]);
  bool case_sensitive = flag(a[2], false);
  auto key_of = [&](const Value& item) {
    Value k = attribute_path(in, item, attribute);
    if (k.is_undefined() && a[1]) k = *a[1];
    return k;
  };
  std::vector<std::pair<Value, Value>> keyed;
  for (const auto& item : iterate(v)) keyed.emplace_back(sort_key(key_of(item), case_sensitive), item);
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& x, const auto& y) { return value_less(x.first, y.first); });
  List groups;
  size_t i = 0;
  while (i < keyed.size()) {
    size_t j = i;
    List members;
    while (j < keyed.size() && values_equal(keyed[j].first, keyed[i].first)) members.push_back(keyed[j++].second);
    Value grouper = key_of(members.front());
    groups.push_back(Value::named_tuple({grouper, Value::list(std::move(members))}, {"grouper", "list"}));
    i = j;
  }
  return Value::list(std::move(groups));
}

Value filter_dictsort(Interpreter&, const Value& v, const CallArgs& args) {
  auto a = bind_args(args, {"case_sensitive", "by", "reverse"}, "dictsort");
  if (!v.is_dict()) throw Error("dictsort needs a mapping");
  bool by_value = a[1] && text_of(*a[1]) == "value";
  bool case_sensitive = flag(a[0], false), reverse = flag(a[2], false);
  auto items = v.as_dict().items();
  std::stable_sort(items.begin(), items.end(), [&](const auto& x, const auto& y) {
    const Value& kx = by_value ? x.second : x.first;
    const Value& ky = by_value ? y.second : y.first;
    Value sx = sort_key(kx, case_sensitive), sy = sort_key(ky, case_sensitive);
    return reverse ? value_less(sy, sx) : value_less(sx, sy);
  });
  List out;
  for (const auto& [k, e] : items) out.push_back(Value::list({k, e}, true));
  return Value::list(std::move(out));
}

Value filter_batch(Interpreter&, const Value& v, const CallArgs& args) {
  auto a = bind_args(args, {"linecount", "fill_with"}, "batch");
  int64_t n = int_arg(a[0], 1, "linecount");
  if (n <= 0) throw Error("batch size must be positive");
  List out, row;
  for (const auto& item : iterate(v)) {
    row.push_back(item);
    if (static_cast<int64_t>(row.size()) == n) {
      out.push_back(Value::list(std::move(row)));
      row.clear();
    }
  }
  if (!row.empty()) {
    if (a[1] && !a[1]->is_none())
      while (static_cast<int64_t>(row.size()) < n) row.push_back(*a[1]);
    out.push_back(Value::list(std::move(row)));
  }
  return Value::list(std::move(out));
}

// Jinja's title filter (unlike str.title) starts a word only after whitespace, '-' or an
// opening bracket, then uppercases its first character and lowercases the rest.
std::string title_words(const std::string& s) {
  auto starts_word_after = [](char32_t c) {
    return is_python_space(c) || c == '-' || c == '(' || c == '{' || c == '[' || c == '<';
  };
  std::string out;
  bool at_word_start = true;
  for (char32_t c : utf8::decode(s)) {
    if (starts_word_after(c)) {
      utf8::append(out, c);
      at_word_start = true;
      continue;
    }
    utf8::append(out, at_word_start ? to_upper(c) : to_lower(c));
    at_word_start = false;
  }
  return out;
}

#define FILTER(...) [](Interpreter & in, const Value& v, const CallArgs& args) -> Value { __VA_ARGS__ }

const std::map<std::string, FilterFn>& filters() {
  static const std::map<std::string, FilterFn> table = {
      {"tojson", filter_tojson},
      {"join", filter_join},
      {"default", filter_default},
      {"d", filter_default},
      {"length", filter_length},
      {"count", filter_length},
      {"map", filter_map},
      {"round", filter_round},
      {"int", filter_int},
      {"float", filter_float},
      {"unique", filter_unique},
      {"indent", filter_indent},
      {"dictsort", filter_dictsort},
      {"groupby", filter_groupby},
      {"batch", filter_batch},
      {"max", FILTER({ return min_max(in, v, args, true); })},
      {"min", FILTER({ return min_max(in, v, args, false); })},
      {"string", FILTER({ return v.is_markup() ? v : Value(text_of(v)); })},
      {"safe", FILTER({ return v.is_markup() ? v : Value::markup(text_of(v)); })},
      {"pprint", FILTER({ return Value(python_repr(v)); })},
      {"escape", FILTER({ return v.is_markup() ? v : Value::markup(html_escape(text_of(v))); })},
      {"e", FILTER({ return v.is_markup() ? v : Value::markup(html_escape(text_of(v))); })},
      {"forceescape", FILTER({ return Value::markup(html_escape(text_of(v))); })},
      {"upper", FILTER({ return Value(upper(text_of(v))); })},
      {"lower", FILTER({ return Value(lower(text_of(v))); })},
      {"title", FILTER({ return Value(title_words(text_of(v))); })},
      {"capitalize", FILTER({ return Value(capitalize(text_of(v))); })},
      {"trim", FILTER({
         auto a = bind_args(args, {"chars"}, "trim");
         std::optional<std::string> chars;
         if (a[0] && !a[0]->is_none()) chars = text_of(*a[0]);
         return Value(strip_chars(text_of(v), chars, true, true));
       })},
      {"replace", FILTER({
         auto a = bind_args(args, {"old", "new", "count"}, "replace");
         if (!a[0] || !a[1]) throw Error("replace() needs old and new");
         CallArgs method_args;
         method_args.positional = {Value(text_of(*a[0])), Value(text_of(*a[1]))};
         if (a[2] && !a[2]->is_none()) method_args.positional.push_back(*a[2]);
         return in.call(*find_method(Value(text_of(v)), "replace"), method_args);
       })},
      {"wordcount", FILTER({
         int64_t words = 0;
         bool in_word = false;
         for (char32_t c : utf8::decode(text_of(v))) {
           bool word_char = is_cased_letter(c) || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
           if (word_char && !in_word) ++words;
           in_word = word_char;
         }
         return Value(words);
       })},
      {"center", FILTER({
         auto a = bind_args(args, {"width"}, "center");
         std::string s = text_of(v);
         int64_t width = int_arg(a[0], 80, "width"), n = static_cast<int64_t>(utf8::length(s));
         if (width <= n) return Value(s);
         int64_t total = width - n, left = total / 2 + (total & width & 1);
         return Value(std::string(static_cast<size_t>(left), ' ') + s +
                      std::string(static_cast<size_t>(total - left), ' '));
       })},
      {"first", FILTER({
         List items = iterate(v);
         return items.empty() ? Value::undefined("no first item, sequence was empty") : items.front();
       })},
      {"last", FILTER({
         List items = iterate(v);
         return items.empty() ? Value::undefined("no last item, sequence was empty") : items.back();
       })},
      {"list", FILTER({ return Value::list(iterate(v)); })},
      {"items", FILTER({
         if (v.is_undefined()) return Value::list({});
         if (!v.is_dict()) throw Error("items filter needs a mapping, got " + v.type_name());
         List out;
         for (const auto& [k, e] : v.as_dict().items()) out.push_back(Value::list({k, e}, true));
         return Value::list(std::move(out));
       })},
      {"reverse", FILTER({
         if (v.is_string()) {
           auto cps = utf8::decode(v.as_string());
           std::reverse(cps.begin(), cps.end());
           return Value(utf8::encode(cps));
         }
         List items = iterate(v);
         std::reverse(items.begin(), items.end());
         return Value::list(std::move(items));
       })},
      {"sort", FILTER({
         auto a = bind_args(args, {"reverse", "case_sensitive", "attribute"}, "sort");
         return Value::list(sorted(in, iterate(v), flag(a[0], false), flag(a[1], false), a[2]));
       })},
      {"sum", FILTER({
         auto a = bind_args(args, {"attribute", "start"}, "sum");
         Value total = a[1] ? *a[1] : Value(0);
         for (const auto& item : iterate(v)) {
           Value x = a[0] && !a[0]->is_none() ? attribute_path(in, item, text_of(*a[0])) : item;
           if (!x.is_number() || !total.is_number()) throw Error("sum() needs numbers");
           total = total.is_float() || x.is_float() ? Value(total.as_double() + x.as_double())
                                                    : Value(total.as_int() + x.as_int());
         }
         return total;
       })},
      {"abs", FILTER({
         if (v.is_float()) return Value(std::fabs(v.as_double()));
         if (v.is_int() || v.is_bool()) return Value(v.as_int() < 0 ? -v.as_int() : v.as_int());
         throw Error("bad operand type for abs(): '" + v.type_name() + "'");
       })},
      {"attr", FILTER({
         auto a = bind_args(args, {"name"}, "attr");
         if (!a[0]) throw Error("attr() needs a name");
         // Python getattr only: unlike `x.name`, no fallback to dict items.
         if (v.is_undefined()) fail_undefined(v);
         if (v.is_namespace()) return in.get_attribute(v, text_of(*a[0]));
         if (auto method = find_method(v, text_of(*a[0]))) return *method;
         return Value::undefined(v.type_name() + " object has no attribute '" + text_of(*a[0]) + "'");
       })},
      {"select", FILTER({ return Value::list(select_items(in, items_if_truthy(v), args, 0, true, std::nullopt)); })},
      {"reject", FILTER({ return Value::list(select_items(in, items_if_truthy(v), args, 0, false, std::nullopt)); })},
      {"selectattr", FILTER({
         if (args.positional.empty()) throw Error("selectattr needs an attribute name");
         return Value::list(select_items(in, items_if_truthy(v), args, 1, true, text_of(args.positional[0])));
       })},
      {"rejectattr", FILTER({
         if (args.positional.empty()) throw Error("rejectattr needs an attribute name");
         return Value::list(select_items(in, items_if_truthy(v), args, 1, false, text_of(args.positional[0])));
       })},
      {"format", FILTER({
         List positional = args.positional;
         std::string out;
         if (!args.named.empty()) {
           Dict d;
           for (const auto& [k, x] : args.named) d.set(Value(k), x);
           out = percent_format(text_of(v), Value::dict(std::move(d)));
         } else {
           out = percent_format(text_of(v), Value::list(std::move(positional), true));
         }
         in.check_string_size(out.size());
         return Value(out);
       })},
      {"truncate", FILTER({
         auto a = bind_args(args, {"length", "killwords", "end", "leeway"}, "truncate");
         std::string s = text_of(v);
         int64_t length = int_arg(a[0], 255, "length"), leeway = int_arg(a[3], 5, "leeway");
         std::string end = a[2] ? text_of(*a[2]) : "...";
         auto cps = utf8::decode(s);
         if (static_cast<int64_t>(cps.size()) <= length + leeway) return Value(s);
         int64_t keep = std::max<int64_t>(0, length - static_cast<int64_t>(utf8::length(end)));
         std::vector<char32_t> head(cps.begin(), cps.begin() + keep);
         if (!flag(a[1], false)) {
           auto space = std::find(head.rbegin(), head.rend(), U' ');
           if (space != head.rend()) head.erase(space.base() - 1, head.end());
         }
         return Value(utf8::encode(head) + end);
       })},
  };
  return table;
}

#undef FILTER

}  // namespace

bool is_unsupported_jinja_filter(const std::string& name) {
  static const char* const names[] = {"filesizeformat", "random",  "slice",    "striptags",
                                      "urlencode",      "urlize",  "wordwrap", "xmlattr"};
  for (const char* n : names)
    if (name == n) return true;
  return false;
}

FilterFn find_filter(const std::string& name) {
  auto it = filters().find(name);
  return it == filters().end() ? nullptr : it->second;
}

}  // namespace slm::jinja
