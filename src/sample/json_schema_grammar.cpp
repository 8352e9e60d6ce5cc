#include "sample/json_schema_grammar.h"

#include <algorithm>
#include <array>
#include <map>

#include "sample/regex_grammar.h"
#include "slm/error.h"

namespace slm {

namespace {

using json = nlohmann::ordered_json;
constexpr int64_t kMaxUnrolled = 512;  // largest min/max bound written out element by element

class SchemaCompiler {
 public:
  SchemaCompiler(Grammar& g, const json& root) : g_(g), root_(root) {}

  int value(const json& schema) {
    if (schema.is_boolean()) {
      if (!schema.get<bool>()) throw Error("schema 'false' accepts no value");
      return any_value();
    }
    if (!schema.is_object()) throw Error("a schema must be an object or a boolean");
    if (schema.contains("$ref")) return reference(schema["$ref"]);
    if (schema.contains("const")) return literals(json::array({schema["const"]}));
    if (schema.contains("enum")) {
      if (!schema["enum"].is_array() || schema["enum"].empty()) throw Error("'enum' must be a non-empty array");
      return literals(schema["enum"]);
    }
    for (const char* key : {"anyOf", "oneOf"})
      if (schema.contains(key)) {
        const json& options = schema[key];
        if (!options.is_array() || options.empty()) throw Error(std::string("'") + key + "' must be a non-empty array");
        int r = g_.add_rule(key);
        for (const auto& option : options) g_.add_alternative(r, {grammar_ref(value(merge_siblings(schema, option, key)))});
        return r;
      }
    if (schema.contains("allOf")) {
      const json& parts = schema["allOf"];
      if (!parts.is_array() || parts.size() != 1) throw Error("'allOf' is supported with exactly one schema");
      return value(merge_siblings(schema, parts[0], "allOf"));
    }
    if (schema.contains("type")) {
      const json& type = schema["type"];
      if (type.is_string()) return typed(type.get<std::string>(), schema);
      if (type.is_array() && !type.empty()) {
        int r = g_.add_rule("types");
        for (const auto& t : type) {
          if (!t.is_string()) throw Error("'type' entries must be strings");
          g_.add_alternative(r, {grammar_ref(typed(t.get<std::string>(), schema))});
        }
        return r;
      }
      throw Error("'type' must be a string or a list of strings");
    }
    if (schema.contains("properties")) return typed("object", schema);
    if (schema.contains("items")) return typed("array", schema);
    return any_value();
  }

  int any_value() {
    if (any_value_ >= 0) return any_value_;
    any_value_ = g_.add_rule("value");
    int object = g_.add_rule("any-object"), array = g_.add_rule("any-array");
    int members = g_.add_rule("members"), elements = g_.add_rule("elements");
    int member = g_.add_rule("member");
    for (int r : {object, array, string_rule(), number_rule(false), literal_rule("true"), literal_rule("false"),
                  literal_rule("null")})
      g_.add_alternative(any_value_, {grammar_ref(r)});
    // member ("," member)*
    g_.add_alternative(member, {grammar_ref(string_rule()), grammar_byte_range(':', ':'), grammar_ref(any_value_)});
    g_.add_alternative(members, {grammar_byte_range(',', ','), grammar_ref(member), grammar_ref(members)});
    g_.add_alternative(members, {});
    g_.add_alternative(object, literal_sequence("{}"));
    g_.add_alternative(object, {grammar_byte_range('{', '{'), grammar_ref(member), grammar_ref(members),
                                grammar_byte_range('}', '}')});
    g_.add_alternative(elements, {grammar_byte_range(',', ','), grammar_ref(any_value_), grammar_ref(elements)});
    g_.add_alternative(elements, {});
    g_.add_alternative(array, literal_sequence("[]"));
    g_.add_alternative(array, {grammar_byte_range('[', '['), grammar_ref(any_value_), grammar_ref(elements),
                               grammar_byte_range(']', ']')});
    return any_value_;
  }

  int any_object() {
    return object_rule(json::object(), true);
  }

 private:
  // Keywords next to anyOf/allOf (e.g. a shared "type") apply to each option.
  static json merge_siblings(const json& schema, const json& option, const char* combinator) {
    if (!option.is_object()) return option;
    json merged = option;
    for (auto it = schema.begin(); it != schema.end(); ++it)
      if (it.key() != combinator && !merged.contains(it.key()) && it.key() != "$defs" && it.key() != "definitions")
        merged[it.key()] = it.value();
    return merged;
  }

  int reference(const json& ref) {
    if (!ref.is_string()) throw Error("'$ref' must be a string");
    const std::string path = ref.get<std::string>();
    if (auto it = refs_.find(path); it != refs_.end()) return it->second;
    const json* target = nullptr;
    if (path == "#") target = &root_;
    for (const char* prefix : {"#/$defs/", "#/definitions/"}) {
      const std::string p = prefix;
      if (path.rfind(p, 0) == 0) {
        const std::string section = p.substr(2, p.size() - 3);
        const std::string name = path.substr(p.size());
        if (root_.contains(section) && root_[section].contains(name)) target = &root_[section][name];
      }
    }
    if (!target) throw Error("unsupported or unknown $ref '" + path + "'");
    // Register before compiling the target so recursive references find it.
    int r = g_.add_rule("ref " + path);
    refs_[path] = r;
    g_.add_alternative(r, {grammar_ref(value(*target))});
    return r;
  }

  int literals(const json& values) {
    int r = g_.add_rule("literal");
    for (const auto& v : values) g_.add_alternative(r, literal_sequence(v.dump()));
    return r;
  }

  int literal_rule(const std::string& text) {
    int r = g_.add_rule(text);
    g_.add_alternative(r, literal_sequence(text));
    return r;
  }

  int typed(const std::string& type, const json& schema) {
    if (type == "object") return object_rule(schema, false);
    if (type == "array") return array_rule(schema);
    if (type == "string") return string_with_length(schema);
    if (type == "integer") return number_rule(true);
    if (type == "number") return number_rule(false);
    if (type == "boolean") {
      int r = g_.add_rule("boolean");
      g_.add_alternative(r, literal_sequence("true"));
      g_.add_alternative(r, literal_sequence("false"));
      return r;
    }
    if (type == "null") return literal_rule("null");
    throw Error("unsupported schema type '" + type + "'");
  }

  static int64_t bound(const json& schema, const char* key, int64_t fallback) {
    if (!schema.contains(key)) return fallback;
    const json& v = schema[key];
    if (!v.is_number_integer() || v.get<int64_t>() < 0) throw Error(std::string("'") + key + "' must be a non-negative integer");
    return v.get<int64_t>();
  }

  int object_rule(const json& schema, bool open_by_default) {
    struct Property {
      std::string name;
      int value;
      bool required;
    };
    std::vector<Property> props;
    std::vector<std::string> required;
    if (schema.contains("required")) {
      if (!schema["required"].is_array()) throw Error("'required' must be an array");
      for (const auto& n : schema["required"])
        if (n.is_string()) required.push_back(n.get<std::string>());
    }
    if (schema.contains("properties")) {
      const json& p = schema["properties"];
      if (!p.is_object()) throw Error("'properties' must be an object");
      for (auto it = p.begin(); it != p.end(); ++it) {
        bool req = std::find(required.begin(), required.end(), it.key()) != required.end();
        props.push_back({it.key(), value(it.value()), req});
      }
    }
    // Extra properties: only when asked for, or when the schema names none at all.
    int extra_value = -1;
    const json additional = schema.contains("additionalProperties") ? schema["additionalProperties"] : json();
    if (additional.is_object()) extra_value = value(additional);
    else if (additional.is_boolean() ? additional.get<bool>() : (props.empty() || open_by_default)) extra_value = any_value();

    // tail[i][first]: the rest of the object from property i on; `first` = nothing written yet.
    const int n = static_cast<int>(props.size());
    std::vector<std::array<int, 2>> tail(n + 1);
    for (int i = n; i >= 0; --i)
      for (int first = 0; first < 2; ++first) {
        int r = g_.add_rule("props");
        tail[i][first] = r;
        if (i == n) {
          if (extra_value >= 0) {
            int extras = extra_members(extra_value);
            if (first) {
              int m = member_rule(extra_value);
              g_.add_alternative(r, {grammar_ref(m), grammar_ref(extras)});
              g_.add_alternative(r, {});
            } else {
              g_.add_alternative(r, {grammar_ref(extras)});
            }
          } else {
            g_.add_alternative(r, {});
          }
          continue;
        }
        GrammarSequence seq;
        if (!first) append_literal(seq, ",");
        append_literal(seq, json(props[i].name).dump() + ":");
        seq.push_back(grammar_ref(props[i].value));
        seq.push_back(grammar_ref(tail[i + 1][0]));
        g_.add_alternative(r, std::move(seq));
        if (!props[i].required) g_.add_alternative(r, {grammar_ref(tail[i + 1][first])});
      }
    int r = g_.add_rule("object");
    g_.add_alternative(r, {grammar_byte_range('{', '{'), grammar_ref(tail[0][1]), grammar_byte_range('}', '}')});
    return r;
  }

  // "key":value with any string key.
  int member_rule(int value_rule) {
    int r = g_.add_rule("member");
    g_.add_alternative(r, {grammar_ref(string_rule()), grammar_byte_range(':', ':'), grammar_ref(value_rule)});
    return r;
  }
  // ("," "key":value)*
  int extra_members(int value_rule) {
    int r = g_.add_rule("more-members");
    g_.add_alternative(r, {grammar_byte_range(',', ','), grammar_ref(member_rule(value_rule)), grammar_ref(r)});
    g_.add_alternative(r, {});
    return r;
  }

  int array_rule(const json& schema) {
    const int item = schema.contains("items") ? value(schema["items"]) : any_value();
    const int64_t min = bound(schema, "minItems", 0);
    const int64_t max = bound(schema, "maxItems", -1);
    if (max >= 0 && max < min) throw Error("'maxItems' is below 'minItems'");
    if (min > kMaxUnrolled || max > kMaxUnrolled) throw Error("array bounds above " + std::to_string(kMaxUnrolled) + " are not supported");
    // after[k]: the rest of the list once k items are written (k >= 1).
    int unbounded = -1;
    if (max < 0) {
      unbounded = g_.add_rule("more-items");
      g_.add_alternative(unbounded, {grammar_byte_range(',', ','), grammar_ref(item), grammar_ref(unbounded)});
      g_.add_alternative(unbounded, {});
    }
    const int64_t last = max >= 0 ? max : std::max<int64_t>(min, 1);
    std::vector<int> after(last + 2, -1);
    for (int64_t k = last; k >= 1; --k) {
      if (max < 0 && k >= min) {
        after[k] = unbounded;
        continue;
      }
      int r = g_.add_rule("items");
      after[k] = r;
      if (k < last || (max < 0))
        g_.add_alternative(r, {grammar_byte_range(',', ','), grammar_ref(item), grammar_ref(after[k + 1])});
      if (k >= min) g_.add_alternative(r, {});
    }
    int r = g_.add_rule("array");
    if (min == 0) g_.add_alternative(r, literal_sequence("[]"));
    if (max != 0)
      g_.add_alternative(r, {grammar_byte_range('[', '['), grammar_ref(item), grammar_ref(after[1]),
                             grammar_byte_range(']', ']')});
    return r;
  }

  // One character inside a JSON string: printable ASCII but '"' and '\', an escape, or a
  // well-formed multi-byte UTF-8 sequence.
  int string_char() {
    if (string_char_ >= 0) return string_char_;
    int r = string_char_ = g_.add_rule("char");
    std::bitset<256> plain;
    for (int c = 0x20; c < 0x80; ++c)
      if (c != '"' && c != '\\') plain.set(c);
    g_.add_alternative(r, {grammar_bytes(plain)});
    std::bitset<256> escapable;
    for (char c : std::string("\"\\/bfnrt")) escapable.set(static_cast<unsigned char>(c));
    g_.add_alternative(r, {grammar_byte_range('\\', '\\'), grammar_bytes(escapable)});
    std::bitset<256> hex;
    for (char c : std::string("0123456789abcdefABCDEF")) hex.set(static_cast<unsigned char>(c));
    g_.add_alternative(r, {grammar_byte_range('\\', '\\'), grammar_byte_range('u', 'u'), grammar_bytes(hex),
                           grammar_bytes(hex), grammar_bytes(hex), grammar_bytes(hex)});
    g_.add_alternative(r, {grammar_ref(multibyte_char())});
    return r;
  }

  // One well-formed multi-byte UTF-8 character.
  int multibyte_char() {
    if (multibyte_ >= 0) return multibyte_;
    int r = multibyte_ = g_.add_rule("utf8");
    const auto cont = grammar_byte_range(0x80, 0xBF);
    g_.add_alternative(r, {grammar_byte_range(0xC2, 0xDF), cont});
    g_.add_alternative(r, {grammar_byte_range(0xE0, 0xE0), grammar_byte_range(0xA0, 0xBF), cont});
    g_.add_alternative(r, {grammar_byte_range(0xE1, 0xEC), cont, cont});
    g_.add_alternative(r, {grammar_byte_range(0xED, 0xED), grammar_byte_range(0x80, 0x9F), cont});
    g_.add_alternative(r, {grammar_byte_range(0xEE, 0xEF), cont, cont});
    g_.add_alternative(r, {grammar_byte_range(0xF0, 0xF0), grammar_byte_range(0x90, 0xBF), cont, cont});
    g_.add_alternative(r, {grammar_byte_range(0xF1, 0xF3), cont, cont, cont});
    g_.add_alternative(r, {grammar_byte_range(0xF4, 0xF4), grammar_byte_range(0x80, 0x8F), cont, cont});
    return r;
  }

  int string_rule() {
    if (string_ >= 0) return string_;
    string_ = g_.add_rule("string");
    int chars = g_.add_rule("chars");
    g_.add_alternative(chars, {grammar_ref(string_char()), grammar_ref(chars)});
    g_.add_alternative(chars, {});
    g_.add_alternative(string_, {grammar_byte_range('"', '"'), grammar_ref(chars), grammar_byte_range('"', '"')});
    return string_;
  }

  int string_with_length(const json& schema) {
    std::string pattern;
    if (schema.contains("pattern")) {
      if (!schema["pattern"].is_string()) throw Error("'pattern' must be a string");
      pattern = schema["pattern"].get<std::string>();
    } else if (schema.contains("format") && schema["format"].is_string()) {
      pattern = format_pattern(schema["format"].get<std::string>());  // "" for formats not enforced
    }
    if (!pattern.empty()) return add_pattern_string_rule(g_, pattern, {string_char(), multibyte_char()});
    const int64_t min = bound(schema, "minLength", 0);
    const int64_t max = bound(schema, "maxLength", -1);
    if (min == 0 && max < 0) return string_rule();
    if (max >= 0 && max < min) throw Error("'maxLength' is below 'minLength'");
    if (min > kMaxUnrolled || max > kMaxUnrolled) throw Error("string length bounds above " + std::to_string(kMaxUnrolled) + " are not supported");
    const int ch = string_char();
    // rest[k]: characters after k have been written, then the closing quote.
    const int64_t last = max >= 0 ? max : min;
    std::vector<int> rest(last + 1);
    for (int64_t k = last; k >= 0; --k) {
      int r = rest[k] = g_.add_rule("chars");
      if (k == last && max < 0) {
        g_.add_alternative(r, {grammar_ref(ch), grammar_ref(r)});
        g_.add_alternative(r, {grammar_byte_range('"', '"')});
        continue;
      }
      if (k < last) g_.add_alternative(r, {grammar_ref(ch), grammar_ref(rest[k + 1])});
      if (k >= min) g_.add_alternative(r, {grammar_byte_range('"', '"')});
    }
    int r = g_.add_rule("string");
    g_.add_alternative(r, {grammar_byte_range('"', '"'), grammar_ref(rest[0])});
    return r;
  }

  // Between min and max bytes from `set`.
  int repeat(const std::bitset<256>& set, int min, int max, const std::string& name) {
    std::vector<int> after(max + 1);
    for (int k = max; k >= 0; --k) {
      after[k] = g_.add_rule(name);
      if (k < max) g_.add_alternative(after[k], {grammar_bytes(set), grammar_ref(after[k + 1])});
      if (k >= min) g_.add_alternative(after[k], {});
    }
    return after[0];
  }

  // Numbers stay within what a double (and, for integers, an int64) holds exactly enough for
  // JSON parsers: at most 15 integer digits, 15 fraction digits and a 2-digit exponent.
  int number_rule(bool integer) {
    int& cached = integer ? integer_ : number_;
    if (cached >= 0) return cached;
    int r = cached = g_.add_rule(integer ? "integer" : "number");
    std::bitset<256> digit, nonzero;
    for (int c = '0'; c <= '9'; ++c) digit.set(c);
    nonzero = digit;
    nonzero.reset('0');
    int sign = g_.add_rule("sign");
    g_.add_alternative(sign, literal_sequence("-"));
    g_.add_alternative(sign, {});
    int whole = g_.add_rule("whole");  // 0 | [1-9][0-9]{0,14}
    g_.add_alternative(whole, literal_sequence("0"));
    g_.add_alternative(whole, {grammar_bytes(nonzero), grammar_ref(repeat(digit, 0, 14, "digits"))});
    if (integer) {
      g_.add_alternative(r, {grammar_ref(sign), grammar_ref(whole)});
      return r;
    }
    int fraction = g_.add_rule("fraction");
    g_.add_alternative(fraction, {grammar_byte_range('.', '.'), grammar_ref(repeat(digit, 1, 15, "fraction-digits"))});
    g_.add_alternative(fraction, {});
    int exponent = g_.add_rule("exponent");
    std::bitset<256> e, s;
    e.set('e'), e.set('E'), s.set('+'), s.set('-');
    int exp_sign = g_.add_rule("exp-sign");
    g_.add_alternative(exp_sign, {grammar_bytes(s)});
    g_.add_alternative(exp_sign, {});
    g_.add_alternative(exponent, {grammar_bytes(e), grammar_ref(exp_sign), grammar_ref(repeat(digit, 1, 2, "exp-digits"))});
    g_.add_alternative(exponent, {});
    g_.add_alternative(r, {grammar_ref(sign), grammar_ref(whole), grammar_ref(fraction), grammar_ref(exponent)});
    return r;
  }

  Grammar& g_;
  const json& root_;
  std::map<std::string, int> refs_;
  int any_value_ = -1, string_ = -1, string_char_ = -1, multibyte_ = -1, integer_ = -1, number_ = -1;
};

std::shared_ptr<const Grammar> build(const std::vector<WrappedSchema>& options, bool any_object) {
  auto g = std::make_shared<Grammar>();
  int root = g->add_rule("root");
  for (const auto& option : options) {
    SchemaCompiler compiler(*g, option.schema);
    int value = any_object ? compiler.any_object() : compiler.value(option.schema);
    GrammarSequence seq = literal_sequence(option.prefix);
    seq.push_back(grammar_ref(value));
    append_literal(seq, option.suffix);
    g->add_alternative(root, std::move(seq));
  }
  g->set_root(root);
  g->finalize();
  return g;
}

// Rule for any one of `options`.
int add_wrapped_options(Grammar& g, const std::vector<WrappedSchema>& options) {
  int r = g.add_rule("options");
  for (const auto& option : options) {
    SchemaCompiler compiler(g, option.schema);
    int value = compiler.value(option.schema);
    GrammarSequence seq = literal_sequence(option.prefix);
    seq.push_back(grammar_ref(value));
    append_literal(seq, option.suffix);
    g.add_alternative(r, std::move(seq));
  }
  return r;
}

}  // namespace

std::shared_ptr<const Grammar> text_or_wrapped_json_grammar(const std::string& opener,
                                                            const std::vector<WrappedSchema>& calls) {
  if (opener.empty() || calls.empty()) throw Error("a tool-call grammar needs an opener and calls");
  auto g = std::make_shared<Grammar>();
  const int call = add_wrapped_options(*g, calls);
  // Text is read by the automaton that searches for `opener` (Knuth-Morris-Pratt): state i =
  // the longest suffix of the text that is a prefix of the opener. Reaching the full opener
  // switches to the call.
  const size_t k = opener.size();
  std::vector<size_t> fail(k + 1, 0);
  for (size_t i = 1, j = 0; i < k; ++i) {
    while (j > 0 && opener[i] != opener[j]) j = fail[j];
    if (opener[i] == opener[j]) ++j;
    fail[i + 1] = j;
  }
  auto next_state = [&](size_t i, unsigned char b) {
    while (i > 0 && static_cast<unsigned char>(opener[i]) != b) i = fail[i];
    return static_cast<unsigned char>(opener[i]) == b ? i + 1 : 0;
  };
  std::vector<int> text(k);
  for (size_t i = 0; i < k; ++i) text[i] = g->add_rule("text");
  for (size_t i = 0; i < k; ++i) {
    std::vector<std::bitset<256>> by_target(k + 1);
    for (int b = 0; b < 256; ++b) by_target[next_state(i, static_cast<unsigned char>(b))].set(b);
    for (size_t t = 0; t < k; ++t)
      if (by_target[t].any()) g->add_alternative(text[i], {grammar_bytes(by_target[t]), grammar_ref(text[t])});
    if (by_target[k].any()) g->add_alternative(text[i], {grammar_bytes(by_target[k]), grammar_ref(call)});
    g->add_alternative(text[i], {});
  }
  g->set_root(text[0]);
  g->finalize();
  return g;
}

std::shared_ptr<const Grammar> json_schema_grammar(const nlohmann::ordered_json& schema) { return build({{"", schema, ""}}, false); }

std::shared_ptr<const Grammar> json_object_grammar() { return build({{"", nlohmann::ordered_json::object(), ""}}, true); }

std::shared_ptr<const Grammar> wrapped_json_schema_grammar(const std::vector<WrappedSchema>& options) {
  if (options.empty()) throw Error("a grammar needs at least one option");
  return build(options, false);
}

}  // namespace slm
