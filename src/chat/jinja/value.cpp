#include "chat/jinja/value.h"

#include <algorithm>

#include "slm/error.h"

namespace slm::jinja {

const Value* Dict::find(const Value& key) const {
  for (const auto& [k, v] : items_)
    if (values_equal(k, key)) return &v;
  return nullptr;
}

const Value* Dict::find(const std::string& key) const {
  for (const auto& [k, v] : items_)
    if (k.is_string() && k.as_string() == key) return &v;
  return nullptr;
}

void Dict::set(const Value& key, Value value) {
  for (auto& [k, v] : items_)
    if (values_equal(k, key)) {
      v = std::move(value);
      return;
    }
  items_.emplace_back(key, std::move(value));
}

// 1 + the deepest element; throws past kMaxValueDepth.
static int container_depth(int deepest_element) {
  if (deepest_element + 1 > kMaxValueDepth)
    throw Error("values nested deeper than " + std::to_string(kMaxValueDepth) + " levels");
  return deepest_element + 1;
}

static int deepest(const Dict& d) {
  int m = 0;
  for (const auto& [k, v] : d.items()) m = std::max({m, k.depth(), v.depth()});
  return m;
}

Value Value::list(List items, bool is_tuple) {
  Value v(Kind::List);
  int m = 0;
  for (const auto& item : items) m = std::max(m, item.depth());
  v.depth_ = container_depth(m);
  v.list_ = std::make_shared<const List>(std::move(items));
  v.is_tuple_ = is_tuple;
  return v;
}

Value Value::named_tuple(List items, std::vector<std::string> field_names) {
  Value v = list(std::move(items), /*is_tuple=*/true);
  v.field_names_ = std::make_shared<const std::vector<std::string>>(std::move(field_names));
  return v;
}

int Value::field_index(const std::string& name) const {
  if (!field_names_) return -1;
  for (size_t i = 0; i < field_names_->size(); ++i)
    if ((*field_names_)[i] == name) return static_cast<int>(i);
  return -1;
}

Value Value::dict(Dict d) {
  Value v(Kind::Dict);
  v.depth_ = container_depth(deepest(d));
  v.dict_ = std::make_shared<Dict>(std::move(d));
  return v;
}

Value Value::namespace_object(Dict d) {
  Value v(Kind::Namespace);
  v.depth_ = container_depth(deepest(d));
  v.dict_ = std::make_shared<Dict>(std::move(d));
  return v;
}

Value Value::callable(std::string name, NativeFunction fn) {
  Value v(Kind::Callable);
  v.callable_ = std::make_shared<const Callable>(Callable{std::move(name), std::move(fn)});
  return v;
}

template <typename Json>
static Value value_from_json(const Json& j, int depth = 0) {
  if (depth > kMaxValueDepth) throw Error("template input: JSON nested deeper than " + std::to_string(kMaxValueDepth) + " levels");
  switch (j.type()) {
    case nlohmann::json::value_t::null: return Value::none();
    case nlohmann::json::value_t::boolean: return Value(j.template get<bool>());
    case nlohmann::json::value_t::number_integer: return Value(j.template get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: return Value(static_cast<int64_t>(j.template get<uint64_t>()));
    case nlohmann::json::value_t::number_float: return Value(j.template get<double>());
    case nlohmann::json::value_t::string: return Value(j.template get<std::string>());
    case nlohmann::json::value_t::array: {
      List items;
      items.reserve(j.size());
      for (const auto& e : j) items.push_back(value_from_json(e, depth + 1));
      return Value::list(std::move(items));
    }
    case nlohmann::json::value_t::object: {
      Dict d;
      for (const auto& [k, e] : j.items()) d.set(Value(k), value_from_json(e, depth + 1));
      return Value::dict(std::move(d));
    }
    default: throw Error("template input: unsupported JSON value");
  }
}

Value Value::from_json(const nlohmann::json& j) { return value_from_json(j); }
Value Value::from_json(const nlohmann::ordered_json& j) { return value_from_json(j); }

bool Value::truthy() const {
  switch (kind_) {
    case Kind::Undefined:
    case Kind::None: return false;
    case Kind::Bool:
    case Kind::Int: return int_ != 0;
    case Kind::Float: return float_ != 0.0;
    case Kind::String: return !str_.empty();
    case Kind::List: return !list_->empty();
    case Kind::Dict: return dict_->size() != 0;
    case Kind::Namespace:
    case Kind::Callable: return true;
  }
  return false;
}

std::string Value::type_name() const {
  switch (kind_) {
    case Kind::Undefined: return "Undefined";
    case Kind::None: return "NoneType";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::String: return "str";
    case Kind::List: return is_tuple_ ? "tuple" : "list";
    case Kind::Dict: return "dict";
    case Kind::Namespace: return "Namespace";
    case Kind::Callable: return "function";
  }
  return "object";
}

static bool equal_at(const Value& a, const Value& b, int depth) {
  if (depth > 2 * kMaxValueDepth) throw Error("comparison nested too deeply (a value containing itself?)");
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.as_double() == b.as_double();
    return a.as_int() == b.as_int();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::Undefined:
    case Value::Kind::None: return true;
    case Value::Kind::String: return a.as_string() == b.as_string();
    case Value::Kind::List: {
      const List &x = a.as_list(), &y = b.as_list();
      if (a.is_tuple() != b.is_tuple() || x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (!equal_at(x[i], y[i], depth + 1)) return false;
      return true;
    }
    case Value::Kind::Dict: {
      const Dict &x = a.as_dict(), &y = b.as_dict();
      if (x.size() != y.size()) return false;
      for (const auto& [k, v] : x.items()) {
        const Value* other = y.find(k);
        if (!other || !equal_at(v, *other, depth + 1)) return false;
      }
      return true;
    }
    case Value::Kind::Namespace: return &a.as_dict() == &b.as_dict();
    case Value::Kind::Callable: return &a.as_callable() == &b.as_callable();
    default: return false;
  }
}

static bool less_at(const Value& a, const Value& b, int depth) {
  if (depth > 2 * kMaxValueDepth) throw Error("comparison nested too deeply");
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.as_double() < b.as_double();
    return a.as_int() < b.as_int();
  }
  if (a.is_string() && b.is_string()) return a.as_string() < b.as_string();
  if (a.is_list() && b.is_list()) {
    const List &x = a.as_list(), &y = b.as_list();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (less_at(x[i], y[i], depth + 1)) return true;
      if (less_at(y[i], x[i], depth + 1)) return false;
    }
    return x.size() < y.size();
  }
  throw Error("'<' not supported between instances of '" + a.type_name() + "' and '" + b.type_name() + "'");
}

}  // namespace slm::jinja

namespace slm::jinja {

bool values_equal(const Value& a, const Value& b) { return equal_at(a, b, 0); }
bool value_less(const Value& a, const Value& b) { return less_at(a, b, 0); }

}  // namespace slm::jinja
