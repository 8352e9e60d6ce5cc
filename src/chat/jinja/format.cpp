#include "chat/jinja/format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "chat/jinja/utf8.h"
#include "slm/error.h"

namespace slm::jinja {

// Python repr(float): shortest round-trip digits, fixed notation for exponents in
// [-4, 16), scientific ("1e+16", "1.5e-07") otherwise, and ".0" on integral values.
std::string float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  std::string sign;
  if (sci[0] == '-') {
    sign = "-";
    sci.erase(0, 1);
  }
  size_t e = sci.find('e');
  int exponent = std::stoi(sci.substr(e + 1));
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits += c;
  int n = static_cast<int>(digits.size());
  std::string out;
  if (exponent >= -4 && exponent < 16) {
    int point = exponent + 1;
    if (point >= n) out = digits + std::string(point - n, '0') + ".0";
    else if (point > 0) out = digits.substr(0, point) + "." + digits.substr(point);
    else out = "0." + std::string(-point, '0') + digits;
  } else {
    out = digits.substr(0, 1);
    if (n > 1) out += "." + digits.substr(1);
    char exp_buf[16];
    std::snprintf(exp_buf, sizeof exp_buf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp_buf;
  }
  return sign + out;
}

// Code points Python's str.isprintable() rejects (besides ASCII controls): the ones
// likely to appear in chat text.
static bool python_unprintable(char32_t c) {
  if (c < 0x20 || (c >= 0x7F && c <= 0xA0) || c == 0xAD) return true;
  if (c >= 0x2000 && c <= 0x200F) return true;
  if (c >= 0x2028 && c <= 0x202F) return true;
  if (c >= 0x205F && c <= 0x2064) return true;
  return c == 0x3000 || c == 0xFEFF || c == 0x1680;
}

static std::string string_repr(const std::string& s) {
  char quote = '\'';
  if (s.find('\'') != std::string::npos && s.find('"') == std::string::npos) quote = '"';
  std::string out(1, quote);
  for (char32_t c : utf8::decode(s)) {
    if (c == static_cast<char32_t>(quote) || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (python_unprintable(c)) {
      char buf[16];
      if (c < 0x100) std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c));
      else std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      utf8::append(out, c);
    }
  }
  out += quote;
  return out;
}

static std::string repr_at(const Value& v, int depth);

std::string python_repr(const Value& v) { return repr_at(v, 0); }

// Namespaces may contain themselves, so recursion is bounded here too.
static std::string repr_at(const Value& v, int depth) {
  if (depth > 2 * kMaxValueDepth) throw Error("value nested too deeply to print (a namespace containing itself?)");
  switch (v.kind()) {
    case Value::Kind::Undefined: return "Undefined";
    case Value::Kind::String:
      return v.is_markup() ? "Markup(" + string_repr(v.as_string()) + ")" : string_repr(v.as_string());
    case Value::Kind::List: {
      const List& items = v.as_list();
      std::string out = v.is_tuple() ? "(" : "[";
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        out += repr_at(items[i], depth + 1);
      }
      if (v.is_tuple() && items.size() == 1) out += ",";
      return out + (v.is_tuple() ? ")" : "]");
    }
    case Value::Kind::Dict:
    case Value::Kind::Namespace: {
      std::string out = v.is_namespace() ? "<Namespace {" : "{";
      bool first = true;
      for (const auto& [k, e] : v.as_dict().items()) {
        if (!first) out += ", ";
        first = false;
        out += repr_at(k, depth + 1) + ": " + repr_at(e, depth + 1);
      }
      return out + (v.is_namespace() ? "}>" : "}");
    }
    default: return python_str(v);
  }
}

std::string python_str(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Undefined: return "";
    case Value::Kind::None: return "None";
    case Value::Kind::Bool: return v.as_bool() ? "True" : "False";
    case Value::Kind::Int: return std::to_string(v.as_int());
    case Value::Kind::Float: return float_repr(v.as_double());
    case Value::Kind::String: return v.as_string();
    case Value::Kind::List:
    case Value::Kind::Dict: return python_repr(v);
    case Value::Kind::Namespace: return python_repr(v);
    case Value::Kind::Callable: return "<function " + v.as_callable().name + ">";
  }
  return "";
}

static void json_string(std::string& out, const std::string& s, bool ensure_ascii = false) {
  out += '"';
  if (ensure_ascii) {
    for (char32_t c : utf8::decode(s)) {
      if (c < 0x80) {
        std::string ascii(1, static_cast<char>(c));
        std::string escaped;
        json_string(escaped, ascii);
        out += escaped.substr(1, escaped.size() - 2);
        continue;
      }
      char buf[16];
      if (c >= 0x10000) {
        char32_t v = c - 0x10000;
        std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
      } else {
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      }
      out += buf;
    }
    out += '"';
    return;
  }
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

static std::string json_key(const Value& k) {
  switch (k.kind()) {
    case Value::Kind::String: return k.as_string();
    case Value::Kind::None: return "null";
    case Value::Kind::Bool: return k.as_bool() ? "true" : "false";
    case Value::Kind::Int: return std::to_string(k.as_int());
    case Value::Kind::Float: return float_repr(k.as_double());
    default: throw Error("keys must be str, int, float, bool or None, not " + k.type_name());
  }
}

static void write_json(std::string& out, const Value& v, const JsonStyle& style, int depth) {
  if (depth > 2 * kMaxValueDepth) throw Error("value nested too deeply for JSON");
  auto newline = [&](int level) {
    out += '\n';
    for (int i = 0; i < level; ++i) out += *style.indent;
  };
  // With an indent, Python puts the newline after the item separator itself.
  std::string item_sep = style.item_separator;
  switch (v.kind()) {
    case Value::Kind::None: out += "null"; return;
    case Value::Kind::Bool: out += v.as_bool() ? "true" : "false"; return;
    case Value::Kind::Int: out += std::to_string(v.as_int()); return;
    case Value::Kind::Float: {
      double d = v.as_double();
      if (std::isnan(d)) out += "NaN";
      else if (std::isinf(d)) out += d > 0 ? "Infinity" : "-Infinity";
      else out += float_repr(d);
      return;
    }
    case Value::Kind::String: json_string(out, v.as_string(), style.ensure_ascii); return;
    case Value::Kind::List: {
      const List& items = v.as_list();
      if (items.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += item_sep;
        if (style.indent) newline(depth + 1);
        write_json(out, items[i], style, depth + 1);
      }
      if (style.indent) newline(depth);
      out += ']';
      return;
    }
    case Value::Kind::Dict: {
      std::vector<std::pair<std::string, const Value*>> entries;
      for (const auto& [k, e] : v.as_dict().items()) entries.emplace_back(json_key(k), &e);
      if (style.sort_keys)
        std::stable_sort(entries.begin(), entries.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
      if (entries.empty()) {
        out += "{}";
        return;
      }
      out += '{';
      for (size_t i = 0; i < entries.size(); ++i) {
        if (i) out += item_sep;
        if (style.indent) newline(depth + 1);
        json_string(out, entries[i].first, style.ensure_ascii);
        out += style.key_separator;
        write_json(out, *entries[i].second, style, depth + 1);
      }
      if (style.indent) newline(depth);
      out += '}';
      return;
    }
    default: throw Error("Object of type " + v.type_name() + " is not JSON serializable");
  }
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string to_json(const Value& v, const JsonStyle& style) {
  std::string out;
  write_json(out, v, style, 0);
  return out;
}

}  // namespace slm::jinja
