#pragma once
// The template value model: the Python values a Jinja2 template sees (None, bool, int,
// float, str, list/tuple, dict, namespace, callables) plus Jinja's "undefined".
// Lists and dicts are shared immutable data (the sandbox forbids mutation), except
// namespace objects, whose attributes `{% set ns.x = ... %}` may reassign.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace slm::jinja {

class Value;
class Interpreter;

// Containers nest at most this deep. Deeper values (hostile input, or a template
// wrapping a list in itself in a loop) are refused so that printing, comparing and
// freeing them cannot exhaust the stack.
constexpr int kMaxValueDepth = 512;

struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> named;
};

using NativeFunction = std::function<Value(Interpreter&, CallArgs&)>;

struct Callable {
  std::string name;
  NativeFunction fn;
};

using List = std::vector<Value>;

// Insertion-ordered mapping, like a Python dict. Chat-template dicts are small, so a
// linear scan beats hashing arbitrary values.
class Dict {
 public:
  const Value* find(const Value& key) const;
  const Value* find(const std::string& key) const;
  void set(const Value& key, Value value);
  const std::vector<std::pair<Value, Value>>& items() const { return items_; }
  size_t size() const { return items_.size(); }
  void clear() { items_.clear(); }

 private:
  std::vector<std::pair<Value, Value>> items_;
};

class Value {
 public:
  enum class Kind { Undefined, None, Bool, Int, Float, String, List, Dict, Namespace, Callable };

  Value() = default;  // undefined
  static Value undefined(std::string name = "") {
    Value v;
    v.str_ = std::move(name);
    return v;
  }
  static Value none() { return Value(Kind::None); }
  Value(bool b) : kind_(Kind::Bool), int_(b) {}
  Value(int i) : kind_(Kind::Int), int_(i) {}
  Value(int64_t i) : kind_(Kind::Int), int_(i) {}
  Value(double d) : kind_(Kind::Float), float_(d) {}
  Value(std::string s) : kind_(Kind::String), str_(std::move(s)) {}
  Value(const char* s) : kind_(Kind::String), str_(s) {}
  // A "safe" string (Python's markupsafe.Markup, made by |safe or |escape): plain
  // strings concatenated with it are HTML-escaped first, as in Jinja2.
  static Value markup(std::string s) {
    Value v(std::move(s));
    v.is_markup_ = true;
    return v;
  }
  static Value list(List items, bool is_tuple = false);
  // A tuple whose items can also be read by name (Python namedtuple), e.g. groupby's
  // (grouper, list).
  static Value named_tuple(List items, std::vector<std::string> field_names);
  static Value dict(Dict d);
  static Value namespace_object(Dict d);
  static Value callable(std::string name, NativeFunction fn);
  // Object keys keep the order of the JSON value (ordered_json keeps the document's order).
  static Value from_json(const nlohmann::json& j);
  static Value from_json(const nlohmann::ordered_json& j);

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::Undefined; }
  bool is_none() const { return kind_ == Kind::None; }
  bool is_bool() const { return kind_ == Kind::Bool; }
  bool is_int() const { return kind_ == Kind::Int; }
  bool is_float() const { return kind_ == Kind::Float; }
  // Python's bool is an int, and numbers compare across int/float.
  bool is_number() const { return kind_ == Kind::Int || kind_ == Kind::Float || kind_ == Kind::Bool; }
  bool is_string() const { return kind_ == Kind::String; }
  bool is_markup() const { return kind_ == Kind::String && is_markup_; }
  bool is_list() const { return kind_ == Kind::List; }
  bool is_tuple() const { return kind_ == Kind::List && is_tuple_; }
  bool is_dict() const { return kind_ == Kind::Dict; }
  bool is_namespace() const { return kind_ == Kind::Namespace; }
  bool is_callable() const { return kind_ == Kind::Callable; }

  bool as_bool() const { return int_ != 0; }
  int64_t as_int() const { return int_; }  // valid for Int and Bool
  double as_double() const { return kind_ == Kind::Float ? float_ : static_cast<double>(int_); }
  const std::string& as_string() const { return str_; }
  const std::string& undefined_name() const { return str_; }
  const List& as_list() const { return *list_; }
  // Index of a namedtuple field, or -1.
  int field_index(const std::string& name) const;
  const Dict& as_dict() const { return *dict_; }  // Dict and Namespace
  Dict& namespace_dict() const { return *dict_; }
  const Callable& as_callable() const { return *callable_; }

  bool truthy() const;
  int depth() const { return depth_; }  // 0 for scalars, 1 + deepest element for containers
  // Python type name, for error messages ("'int' object ...").
  std::string type_name() const;

 private:
  explicit Value(Kind k) : kind_(k) {}

  Kind kind_ = Kind::Undefined;
  bool is_tuple_ = false;
  bool is_markup_ = false;
  int depth_ = 0;
  int64_t int_ = 0;
  double float_ = 0;
  std::string str_;
  std::shared_ptr<const List> list_;
  std::shared_ptr<const std::vector<std::string>> field_names_;
  std::shared_ptr<Dict> dict_;
  std::shared_ptr<const Callable> callable_;
};

// Python `==` (1 == 1.0 == True; lists and dicts compare deeply).
bool values_equal(const Value& a, const Value& b);
// Python `<` for numbers, strings and lists; throws slm::Error for other types.
bool value_less(const Value& a, const Value& b);

}  // namespace slm::jinja
