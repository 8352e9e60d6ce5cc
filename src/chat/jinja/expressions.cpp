// Expression evaluation: names, attribute and item access, calls, operators with
// Python semantics, comparisons and slicing.
#include <algorithm>
#include <cmath>

#include "chat/jinja/builtins.h"
#include "chat/jinja/errors.h"
#include "chat/jinja/format.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/utf8.h"

namespace slm::jinja {
namespace {

std::string type_object(const Value& v) { return "'" + v.type_name() + " object'"; }

Value missing_attribute(const Value& obj, const std::string& name) {
  return Value::undefined(type_object(obj) + " has no attribute '" + name + "'");
}

// Python ints are unbounded; ours are 64-bit, so overflow is an error rather than a wrap.
int64_t checked_op(char op, int64_t a, int64_t b) {
  int64_t r = 0;
  bool overflow = op == '+' ? __builtin_add_overflow(a, b, &r)
                  : op == '-' ? __builtin_sub_overflow(a, b, &r)
                              : __builtin_mul_overflow(a, b, &r);
  if (overflow) throw Error("integer overflow");
  return r;
}


}  // namespace

Value Interpreter::call(const Value& callee, CallArgs& args) {
  if (callee.is_callable()) return callee.as_callable().fn(*this, args);
  if (callee.is_undefined()) fail_undefined(callee);
  throw Error(type_object(callee) + " is not callable");
}

Value Interpreter::apply_filter(const std::string& name, const Value& input, const CallArgs& args) {
  FilterFn fn = find_filter(name);
  if (!fn && is_unsupported_jinja_filter(name)) throw Error("filter '" + name + "' is not supported");
  if (!fn) throw Error("no filter named '" + name + "'");
  return fn(*this, input, args);
}

bool Interpreter::apply_test(const std::string& name, const Value& input, const CallArgs& args) {
  TestFn fn = find_test(name);
  if (!fn) throw Error("no test named '" + name + "'");
  return fn(*this, input, args);
}

Value Interpreter::get_attribute(const Value& obj, const std::string& name) {
  switch (obj.kind()) {
    case Value::Kind::Undefined: fail_undefined(obj);
    case Value::Kind::Namespace:
    case Value::Kind::Dict: {
      if (obj.is_dict())
        if (auto m = find_method(obj, name)) return *m;
      if (const Value* v = obj.as_dict().find(name)) return *v;
      return missing_attribute(obj, name);
    }
    case Value::Kind::String:
    case Value::Kind::List:
      if (int field = obj.field_index(name); field >= 0) return obj.as_list()[static_cast<size_t>(field)];
      if (auto m = find_method(obj, name)) return *m;
      return missing_attribute(obj, name);
    default: return missing_attribute(obj, name);
  }
}

Value Interpreter::get_item(const Value& obj, const Value& key) {
  switch (obj.kind()) {
    case Value::Kind::Undefined: fail_undefined(obj);
    case Value::Kind::Dict:
    case Value::Kind::Namespace:
      if (const Value* v = obj.as_dict().find(key)) return *v;
      if (key.is_string()) {
        if (obj.is_dict())
          if (auto m = find_method(obj, key.as_string())) return *m;
        return missing_attribute(obj, key.as_string());
      }
      return Value::undefined(type_object(obj) + " has no element " + python_repr(key));
    case Value::Kind::List:
    case Value::Kind::String: {
      if (key.is_string()) return get_attribute(obj, key.as_string());
      if (!key.is_int() && !key.is_bool()) throw Error("indices must be integers, not " + key.type_name());
      int64_t i = key.as_int();
      if (obj.is_list()) {
        const List& items = obj.as_list();
        int64_t n = static_cast<int64_t>(items.size());
        if (i < 0) i += n;
        if (i < 0 || i >= n) return Value::undefined(type_object(obj) + " has no element " + std::to_string(key.as_int()));
        return items[static_cast<size_t>(i)];
      }
      auto cps = utf8::decode(obj.as_string());
      int64_t n = static_cast<int64_t>(cps.size());
      if (i < 0) i += n;
      if (i < 0 || i >= n) return Value::undefined("string index out of range");
      std::string ch;
      utf8::append(ch, cps[static_cast<size_t>(i)]);
      return Value(ch);
    }
    default:
      return Value::undefined(type_object(obj) + " has no element " + python_repr(key));
  }
}

Value Interpreter::eval(const Expr& e, const ScopePtr& scope) {
  try {
    return eval_inner(e, scope);
  } catch (const TemplateError&) {
    throw;
  } catch (const RaisedError&) {
    throw;
  } catch (const Error& ex) {
    throw TemplateError("template line " + std::to_string(e.line) + ": " + ex.what());
  } catch (const std::exception& ex) {  // e.g. out of memory: still an slm::Error for callers
    throw TemplateError("template line " + std::to_string(e.line) + ": " + ex.what());
  }
}

CallArgs Interpreter::eval_args(const Expr& e, size_t first_operand, const ScopePtr& scope) {
  CallArgs args;
  for (size_t i = first_operand; i < e.operands.size(); ++i) args.positional.push_back(eval(*e.operands[i], scope));
  for (const auto& [k, v] : e.keywords) args.named.emplace_back(k, eval(*v, scope));
  return args;
}

Value Interpreter::eval_inner(const Expr& e, const ScopePtr& scope) {
  switch (e.kind) {
    case Expr::Kind::Literal: return e.literal;
    case Expr::Kind::Name: {
      if (const Value* v = scope->lookup(e.name)) return *v;
      return Value::undefined("'" + e.name + "' is undefined");
    }
    case Expr::Kind::GetAttr: return get_attribute(eval(*e.operands[0], scope), e.name);
    case Expr::Kind::GetItem: return get_item(eval(*e.operands[0], scope), eval(*e.operands[1], scope));
    case Expr::Kind::Slice: {
      Value target = eval(*e.operands[0], scope);
      auto part = [&](size_t i) { return e.operands[i] ? eval(*e.operands[i], scope) : Value::none(); };
      return eval_slice(target, part(1), part(2), part(3));
    }
    case Expr::Kind::Call: {
      Value callee = eval(*e.operands[0], scope);
      CallArgs args = eval_args(e, 1, scope);
      return call(callee, args);
    }
    case Expr::Kind::Filter: {
      Value input = eval(*e.operands[0], scope);
      CallArgs args = eval_args(e, 1, scope);
      return apply_filter(e.name, input, args);
    }
    case Expr::Kind::Test: {
      Value input = eval(*e.operands[0], scope);
      CallArgs args = eval_args(e, 1, scope);
      return Value(apply_test(e.name, input, args) != e.negated);
    }
    case Expr::Kind::Unary: {
      Value v = eval(*e.operands[0], scope);
      if (e.name == "not") return Value(!v.truthy());
      if (v.is_undefined()) fail_undefined(v);
      if (!v.is_number()) throw Error("bad operand type for unary " + e.name + ": '" + v.type_name() + "'");
      if (e.name == "+") return v.is_bool() ? Value(v.as_int()) : v;
      if (v.is_float()) return Value(-v.as_double());
      return Value(-v.as_int());
    }
    case Expr::Kind::Binary: {
      Value a = eval(*e.operands[0], scope);
      Value b = eval(*e.operands[1], scope);
      return eval_binary(e.name, a, b);
    }
    case Expr::Kind::Compare: {
      Value left = eval(*e.operands[0], scope);
      for (size_t i = 0; i < e.compare_ops.size(); ++i) {
        Value right = eval(*e.operands[i + 1], scope);
        if (!eval_compare(e.compare_ops[i], left, right)) return Value(false);
        left = std::move(right);
      }
      return Value(true);
    }
    case Expr::Kind::And: {
      Value a = eval(*e.operands[0], scope);
      return a.truthy() ? eval(*e.operands[1], scope) : a;
    }
    case Expr::Kind::Or: {
      Value a = eval(*e.operands[0], scope);
      return a.truthy() ? a : eval(*e.operands[1], scope);
    }
    case Expr::Kind::Conditional: {
      if (eval(*e.operands[0], scope).truthy()) return eval(*e.operands[1], scope);
      if (e.operands[2]) return eval(*e.operands[2], scope);
      return Value::undefined("the inline if-expression evaluated to false and no else section was defined");
    }
    case Expr::Kind::ListLiteral:
    case Expr::Kind::TupleLiteral: {
      List items;
      for (const auto& o : e.operands) items.push_back(eval(*o, scope));
      return Value::list(std::move(items), e.kind == Expr::Kind::TupleLiteral);
    }
    case Expr::Kind::DictLiteral: {
      Dict d;
      for (size_t i = 0; i + 1 < e.operands.size(); i += 2)
        d.set(eval(*e.operands[i], scope), eval(*e.operands[i + 1], scope));
      return Value::dict(std::move(d));
    }
  }
  throw Error("unknown expression");
}

// A string as it joins a Markup: plain text is HTML-escaped, Markup stays as is.
static std::string markup_text(const Value& s) { return s.is_markup() ? s.as_string() : html_escape(s.as_string()); }

// Markup % args escapes each textual argument (numbers format unchanged).
static Value escape_format_args(const Value& args) {
  auto escape_one = [](const Value& v) -> Value {
    if (v.is_number() || v.is_none() || v.is_markup()) return v;
    return Value::markup(html_escape(python_str(v)));
  };
  if (args.is_tuple()) {
    List items;
    for (const auto& v : args.as_list()) items.push_back(escape_one(v));
    return Value::list(std::move(items), true);
  }
  if (args.is_dict()) {
    Dict d;
    for (const auto& [k, v] : args.as_dict().items()) d.set(k, escape_one(v));
    return Value::dict(std::move(d));
  }
  return escape_one(args);
}

static double float_mod(double a, double b) {
  double r = std::fmod(a, b);
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

Value Interpreter::eval_binary(const std::string& op, const Value& a, const Value& b) {
  if (op == "~") {
    std::string s = python_str(a);
    std::string t = python_str(b);
    check_string_size(s.size() + t.size());
    return Value(s + t);
  }
  if (a.is_undefined()) fail_undefined(a);
  if (b.is_undefined()) fail_undefined(b);
  auto unsupported = [&]() -> Value {
    throw Error("unsupported operand type(s) for " + op + ": '" + a.type_name() + "' and '" + b.type_name() + "'");
  };
  if (a.is_number() && b.is_number()) {
    bool use_float = a.is_float() || b.is_float();
    if (op == "/") {
      if (b.as_double() == 0) throw Error("division by zero");
      return Value(a.as_double() / b.as_double());
    }
    if (use_float) {
      double x = a.as_double(), y = b.as_double();
      if (op == "+") return Value(x + y);
      if (op == "-") return Value(x - y);
      if (op == "*") return Value(x * y);
      if (op == "**") return Value(std::pow(x, y));
      if (y == 0) throw Error("float division by zero");
      if (op == "//") return Value(std::floor(x / y));
      if (op == "%") return Value(float_mod(x, y));
      return unsupported();
    }
    int64_t x = a.as_int(), y = b.as_int();
    if (op == "+" || op == "-" || op == "*") return Value(checked_op(op[0], x, y));
    if (op == "**") {
      if (y < 0) return Value(std::pow(static_cast<double>(x), static_cast<double>(y)));
      int64_t result = 1;
      for (int64_t i = 0; i < y; ++i) {
        result = checked_op('*', result, x);
        if (result == 0 || result == 1) break;
      }
      return Value(result);
    }
    if (y == 0) throw Error("integer division or modulo by zero");
    int64_t q = x / y, m = x % y;
    if (m != 0 && ((m < 0) != (y < 0))) {
      --q;
      m += y;
    }
    if (op == "//") return Value(q);
    if (op == "%") return Value(m);
    return unsupported();
  }
  if (op == "+") {
    if (a.is_string() && b.is_string()) {
      check_string_size(a.as_string().size() + b.as_string().size());
      if (a.is_markup() || b.is_markup()) return Value::markup(markup_text(a) + markup_text(b));
      return Value(a.as_string() + b.as_string());
    }
    if (a.is_list() && b.is_list() && a.is_tuple() == b.is_tuple()) {
      check_list_size(a.as_list().size() + b.as_list().size());
      List items = a.as_list();
      items.insert(items.end(), b.as_list().begin(), b.as_list().end());
      return Value::list(std::move(items), a.is_tuple());
    }
    return unsupported();
  }
  if (op == "*") {
    const Value& seq = a.is_number() ? b : a;
    const Value& count = a.is_number() ? a : b;
    if (!count.is_int() && !count.is_bool()) return unsupported();
    int64_t n = std::max<int64_t>(0, count.as_int());
    if (seq.is_string()) {
      if (n > 0 && seq.as_string().size() > limits_.max_output_bytes / static_cast<size_t>(n))
        throw LimitError("string repetition exceeds the sandbox limit of " +
                         std::to_string(limits_.max_output_bytes) + " bytes");
      check_string_size(seq.as_string().size() * static_cast<size_t>(n));
      std::string out;
      for (int64_t i = 0; i < n; ++i) out += seq.as_string();
      return seq.is_markup() ? Value::markup(out) : Value(out);
    }
    if (seq.is_list()) {
      if (n > 0 && seq.as_list().size() > limits_.max_copy_bytes / static_cast<size_t>(n))
        throw LimitError("list repetition exceeds the sandbox limit");
      check_list_size(seq.as_list().size() * static_cast<size_t>(n));
      List items;
      for (int64_t i = 0; i < n; ++i) items.insert(items.end(), seq.as_list().begin(), seq.as_list().end());
      return Value::list(std::move(items), seq.is_tuple());
    }
    return unsupported();
  }
  if (op == "%" && a.is_string()) {
    if (a.is_markup()) {
      Value args = escape_format_args(b);
      std::string formatted = percent_format(a.as_string(), args);
      check_string_size(formatted.size());
      return Value::markup(formatted);
    }
    std::string formatted = percent_format(a.as_string(), b);
    check_string_size(formatted.size());
    return Value(formatted);
  }
  return unsupported();
}

bool Interpreter::eval_compare(const std::string& op, const Value& a, const Value& b) {
  if (op == "==") return values_equal(a, b);
  if (op == "!=") return !values_equal(a, b);
  if (op == "in" || op == "not in") {
    bool found = false;
    if (b.is_string()) {
      if (a.is_undefined()) fail_undefined(a);
      if (!a.is_string()) throw Error("'in <string>' requires string as left operand, not " + a.type_name());
      found = b.as_string().find(a.as_string()) != std::string::npos;
    } else if (b.is_list()) {
      for (const auto& item : b.as_list())
        if (values_equal(item, a)) found = true;
    } else if (b.is_dict() || b.is_namespace()) {
      found = b.as_dict().find(a) != nullptr;
    } else if (!b.is_undefined()) {
      throw Error("argument of type '" + b.type_name() + "' is not iterable");
    }
    return op == "in" ? found : !found;
  }
  if (a.is_undefined()) fail_undefined(a);
  if (b.is_undefined()) fail_undefined(b);
  if (op == "<") return value_less(a, b);
  if (op == ">") return value_less(b, a);
  if (op == "<=") return !value_less(b, a);
  if (op == ">=") return !value_less(a, b);
  throw Error("unknown comparison '" + op + "'");
}

Value Interpreter::eval_slice(const Value& target, const Value& start_v, const Value& stop_v, const Value& step_v) {
  if (target.is_undefined()) fail_undefined(target);
  auto as_index = [](const Value& v, const char* what) -> std::optional<int64_t> {
    if (v.is_none()) return std::nullopt;
    if (!v.is_int() && !v.is_bool()) throw Error(std::string("slice ") + what + " must be an integer or None");
    return v.as_int();
  };
  int64_t step = as_index(step_v, "step").value_or(1);
  if (step == 0) throw Error("slice step cannot be zero");
  std::optional<int64_t> start = as_index(start_v, "start"), stop = as_index(stop_v, "stop");

  auto pick = [&](int64_t n) {
    auto clamp = [&](std::optional<int64_t> v, int64_t fallback) {
      if (!v) return fallback;
      int64_t x = *v < 0 ? *v + n : *v;
      if (step > 0) return std::clamp<int64_t>(x, 0, n);
      return std::clamp<int64_t>(x, -1, n - 1);
    };
    int64_t lo = clamp(start, step > 0 ? 0 : n - 1);
    int64_t hi = clamp(stop, step > 0 ? n : -1);
    std::vector<size_t> idx;
    if (step > 0)
      for (int64_t i = lo; i < hi; i += step) idx.push_back(static_cast<size_t>(i));
    else
      for (int64_t i = lo; i > hi; i += step) idx.push_back(static_cast<size_t>(i));
    return idx;
  };
  if (target.is_list()) {
    const List& items = target.as_list();
    List out;
    for (size_t i : pick(static_cast<int64_t>(items.size()))) out.push_back(items[i]);
    return Value::list(std::move(out), target.is_tuple());
  }
  if (target.is_string()) {
    auto cps = utf8::decode(target.as_string());
    std::vector<char32_t> out;
    for (size_t i : pick(static_cast<int64_t>(cps.size()))) out.push_back(cps[i]);
    return Value(utf8::encode(out));
  }
  throw Error("'" + target.type_name() + "' object is not subscriptable");
}

}  // namespace slm::jinja
