#include "chat/jinja/interpreter.h"

#include <cmath>
#include <functional>
#include <optional>

#include "chat/jinja/builtins.h"
#include "chat/jinja/errors.h"
#include "chat/jinja/format.h"
#include "chat/jinja/utf8.h"

namespace slm::jinja {

const Value* Scope::lookup(const std::string& name) const {
  for (const Scope* s = this; s; s = s->parent.get()) {
    auto it = s->vars.find(name);
    if (it != s->vars.end()) return &it->second;
  }
  return nullptr;
}

void fail_undefined(const Value& v) {
  throw Error(v.undefined_name().empty() ? "value is undefined" : v.undefined_name());
}

namespace {

std::string type_object(const Value& v) { return "'" + v.type_name() + " object'"; }

Value missing_attribute(const Value& obj, const std::string& name) {
  return Value::undefined(type_object(obj) + " has no attribute '" + name + "'");
}

bool expr_uses_name(const Expr* e, const std::string& name);

bool nodes_use_name(const NodeList& nodes, const std::string& name) {
  for (const auto& n : nodes) {
    if (expr_uses_name(n->expr.get(), name) || expr_uses_name(n->condition.get(), name)) return true;
    for (const auto& [cond, body] : n->branches)
      if (expr_uses_name(cond.get(), name) || nodes_use_name(body, name)) return true;
    for (const auto& f : n->filters)
      if (expr_uses_name(f.get(), name)) return true;
    for (const auto& v : n->values)
      if (expr_uses_name(v.get(), name)) return true;
    for (const auto& p : n->params)
      if (expr_uses_name(p.default_value.get(), name)) return true;
    if (nodes_use_name(n->body, name) || nodes_use_name(n->else_body, name)) return true;
  }
  return false;
}

bool expr_uses_name(const Expr* e, const std::string& name) {
  if (!e) return false;
  if (e->kind == Expr::Kind::Name && e->name == name) return true;
  for (const auto& o : e->operands)
    if (expr_uses_name(o.get(), name)) return true;
  for (const auto& [k, v] : e->keywords)
    if (expr_uses_name(v.get(), name)) return true;
  return false;
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

std::string Interpreter::render(const NodeList& nodes, const Dict& globals, const Dict& context) {
  auto global_scope = std::make_shared<Scope>();
  for (const auto& [k, v] : globals.items()) global_scope->vars[k.as_string()] = v;
  auto root = std::make_shared<Scope>();
  root->parent = global_scope;
  for (const auto& [k, v] : context.items()) root->vars[k.as_string()] = v;
  std::string out;
  exec_list(nodes, root, out);
  // Macros refer to their scopes weakly; drop the strong references now.
  macro_scopes_.clear();
  return out;
}

void Interpreter::emit(std::string& out, const std::string& text) {
  if (out.size() + text.size() > limits_.max_output_bytes)
    throw LimitError("output exceeds the sandbox limit of " + std::to_string(limits_.max_output_bytes) + " bytes");
  out += text;
}

void Interpreter::check_string_size(size_t bytes) {
  if (bytes > limits_.max_output_bytes)
    throw LimitError("string exceeds the sandbox limit of " + std::to_string(limits_.max_output_bytes) + " bytes");
  charge_copy(bytes);
}

void Interpreter::check_list_size(size_t items) {
  if (items > limits_.max_copy_bytes / sizeof(Value))
    throw LimitError("list of " + std::to_string(items) + " items exceeds the sandbox limit");
  charge_copy(items * sizeof(Value));
}

void Interpreter::charge_copy(size_t bytes) {
  copied_bytes_ += bytes;
  if (copied_bytes_ > limits_.max_copy_bytes)
    throw LimitError("building strings and lists exceeded the sandbox budget of " +
                     std::to_string(limits_.max_copy_bytes) + " bytes (runaway growth?)");
}

void Interpreter::count_iterations(int64_t n) {
  iterations_ += n;
  if (iterations_ > limits_.max_loop_iterations)
    throw LimitError("loop iterations exceed the sandbox limit of " + std::to_string(limits_.max_loop_iterations));
}

Interpreter::Flow Interpreter::exec_list(const NodeList& nodes, const ScopePtr& scope, std::string& out) {
  for (const auto& n : nodes) {
    Flow f = exec(*n, scope, out);
    if (f != Flow::Normal) return f;
  }
  return Flow::Normal;
}

Interpreter::Flow Interpreter::exec(const Node& node, const ScopePtr& scope, std::string& out) {
  try {
    return exec_node(node, scope, out);
  } catch (const TemplateError&) {
    throw;
  } catch (const RaisedError&) {
    throw;
  } catch (const Error& e) {
    throw TemplateError("template line " + std::to_string(node.line) + ": " + e.what());
  }
}

Interpreter::Flow Interpreter::exec_node(const Node& node, const ScopePtr& scope, std::string& out) {
  switch (node.kind) {
    case Node::Kind::Text: emit(out, node.text); break;
    case Node::Kind::Output: emit(out, python_str(eval(*node.expr, scope))); break;
    case Node::Kind::If:
      for (const auto& [cond, body] : node.branches)
        if (eval(*cond, scope).truthy()) return exec_list(body, scope, out);
      return exec_list(node.else_body, scope, out);
    case Node::Kind::For: exec_for(node, scope, out); break;
    case Node::Kind::Set: exec_set(node, scope); break;
    case Node::Kind::SetBlock: {
      std::string captured;
      exec_list(node.body, scope, captured);
      scope->vars[node.targets[0]] = apply_filter_chain(node.filters, Value(captured), scope);
      break;
    }
    case Node::Kind::FilterBlock: {
      std::string captured;
      exec_list(node.body, scope, captured);
      emit(out, python_str(apply_filter_chain(node.filters, Value(captured), scope)));
      break;
    }
    case Node::Kind::Macro: scope->vars[node.text] = make_macro(node, scope, node.text); break;
    case Node::Kind::CallBlock: exec_call_block(node, scope, out); break;
    case Node::Kind::With: {
      auto inner = std::make_shared<Scope>();
      inner->parent = scope;
      for (size_t i = 0; i < node.targets.size(); ++i) inner->vars[node.targets[i]] = eval(*node.values[i], scope);
      return exec_list(node.body, inner, out);
    }
    case Node::Kind::Break: return Flow::Break;
    case Node::Kind::Continue: return Flow::Continue;
    case Node::Kind::Scope: return exec_list(node.body, scope, out);
  }
  return Flow::Normal;
}

Value Interpreter::apply_filter_chain(const std::vector<ExprPtr>& filters, Value input, const ScopePtr& scope) {
  for (const auto& f : filters) {
    CallArgs args = eval_args(*f, 1, scope);
    input = apply_filter(f->name, input, args);
  }
  return input;
}

static void bind_targets(Scope& scope, const std::vector<std::string>& targets, const Value& value) {
  if (targets.size() == 1) {
    scope.vars[targets[0]] = value;
    return;
  }
  List items = iterate(value);
  if (items.size() != targets.size())
    throw Error("cannot unpack " + std::to_string(items.size()) + " values into " + std::to_string(targets.size()) +
                " names");
  for (size_t i = 0; i < targets.size(); ++i) scope.vars[targets[i]] = items[i];
}

void Interpreter::exec_for(const Node& node, const ScopePtr& scope, std::string& out) {
  Value iterable = eval(*node.expr, scope);
  List items = iterate(iterable);
  if (node.condition) {
    List kept;
    for (const auto& item : items) {
      count_iterations(1);
      auto probe = std::make_shared<Scope>();
      probe->parent = scope;
      bind_targets(*probe, node.targets, item);
      if (eval(*node.condition, probe).truthy()) kept.push_back(item);
    }
    items = std::move(kept);
  }
  auto used = loop_var_used_.find(&node);
  if (used == loop_var_used_.end())
    used = loop_var_used_.emplace(&node, nodes_use_name(node.body, "loop")).first;
  bool with_loop = used->second;

  const int64_t length = static_cast<int64_t>(items.size());
  // loop.changed(*values) compares with the values of its previous call in this loop.
  auto last_changed = std::make_shared<std::optional<List>>();
  for (int64_t i = 0; i < length; ++i) {
    count_iterations(1);
    auto iteration = std::make_shared<Scope>();
    iteration->parent = scope;
    bind_targets(*iteration, node.targets, items[i]);
    if (with_loop) {
      Dict loop;
      loop.set(Value("index"), Value(i + 1));
      loop.set(Value("index0"), Value(i));
      loop.set(Value("revindex"), Value(length - i));
      loop.set(Value("revindex0"), Value(length - i - 1));
      loop.set(Value("first"), Value(i == 0));
      loop.set(Value("last"), Value(i == length - 1));
      loop.set(Value("length"), Value(length));
      loop.set(Value("depth"), Value(1));
      loop.set(Value("depth0"), Value(0));
      loop.set(Value("previtem"), i > 0 ? items[i - 1] : Value::undefined("there is no previous item"));
      loop.set(Value("nextitem"), i + 1 < length ? items[i + 1] : Value::undefined("there is no next item"));
      loop.set(Value("cycle"), Value::callable("cycle", [i](Interpreter&, CallArgs& a) -> Value {
                 if (a.positional.empty()) throw Error("no items for cycling given");
                 return a.positional[static_cast<size_t>(i) % a.positional.size()];
               }));
      loop.set(Value("changed"), Value::callable("changed", [last_changed](Interpreter&, CallArgs& a) -> Value {
                 List now = a.positional;
                 bool changed = !last_changed->has_value() ||
                                !values_equal(Value::list(**last_changed), Value::list(now));
                 *last_changed = std::move(now);
                 return Value(changed);
               }));
      iteration->vars["loop"] = Value::dict(std::move(loop));
    }
    Flow f = exec_list(node.body, iteration, out);
    if (f == Flow::Break) break;
  }
  if (length == 0) exec_list(node.else_body, scope, out);
}

void Interpreter::exec_set(const Node& node, const ScopePtr& scope) {
  Value value = eval(*node.expr, scope);
  if (!node.namespace_attribute.empty()) {
    const Value* target = scope->lookup(node.targets[0]);
    if (!target || !target->is_namespace())
      throw Error("cannot assign attribute on non-namespace object");
    target->namespace_dict().set(Value(node.namespace_attribute), std::move(value));
    return;
  }
  bind_targets(*scope, node.targets, value);
}

Value Interpreter::make_macro(const Node& node, const ScopePtr& scope, const std::string& name) {
  macro_scopes_.push_back(scope);
  std::weak_ptr<Scope> weak = scope;
  const Node* def = &node;
  return Value::callable(name, [this, def, weak, name](Interpreter&, CallArgs& args) -> Value {
    ScopePtr defining = weak.lock();
    if (!defining) throw Error("macro '" + name + "' called after its template finished");
    return call_macro(*def, defining, name, args);
  });
}

Value Interpreter::call_macro(const Node& node, const ScopePtr& defining_scope, const std::string& name,
                              CallArgs& args) {
  if (call_depth_ >= limits_.max_call_depth)
    throw LimitError("macro calls nested deeper than the sandbox limit of " +
                     std::to_string(limits_.max_call_depth) + " (runaway recursion?)");
  struct DepthGuard {
    int& d;
    explicit DepthGuard(int& depth) : d(depth) { ++d; }
    ~DepthGuard() { --d; }
  } guard(call_depth_);

  auto frame = std::make_shared<Scope>();
  frame->parent = defining_scope;
  const auto& params = node.params;
  List varargs;
  for (size_t i = 0; i < args.positional.size(); ++i) {
    if (i < params.size()) frame->vars[params[i].name] = args.positional[i];
    else varargs.push_back(args.positional[i]);
  }
  Dict kwargs;
  for (auto& [key, value] : args.named) {
    bool is_param = false;
    for (const auto& p : params)
      if (p.name == key) is_param = true;
    if (is_param) {
      if (frame->vars.count(key)) throw Error("macro '" + name + "' got multiple values for argument '" + key + "'");
      frame->vars[key] = value;
    } else if (key == "caller") {
      frame->vars["caller"] = value;
    } else {
      kwargs.set(Value(key), value);
    }
  }
  for (const auto& p : params) {
    if (frame->vars.count(p.name)) continue;
    frame->vars[p.name] = p.default_value ? eval(*p.default_value, frame)
                                          : Value::undefined("parameter '" + p.name + "' was not provided");
  }
  frame->vars["varargs"] = Value::list(std::move(varargs), /*is_tuple=*/true);
  frame->vars["kwargs"] = Value::dict(std::move(kwargs));
  std::string out;
  exec_list(node.body, frame, out);
  return Value(out);
}

void Interpreter::exec_call_block(const Node& node, const ScopePtr& scope, std::string& out) {
  const Expr& call_expr = *node.expr;
  Value callee = eval(*call_expr.operands[0], scope);
  CallArgs args = eval_args(call_expr, 1, scope);
  macro_scopes_.push_back(scope);
  std::weak_ptr<Scope> weak = scope;
  const Node* block = &node;
  args.named.emplace_back("caller", Value::callable("caller", [this, block, weak](Interpreter&, CallArgs& a) -> Value {
    ScopePtr s = weak.lock();
    if (!s) throw Error("caller() used after its block finished");
    return call_macro(*block, s, "caller", a);
  }));
  emit(out, python_str(call(callee, args)));
}


Value Interpreter::call(const Value& callee, CallArgs& args) {
  if (callee.is_callable()) return callee.as_callable().fn(*this, args);
  if (callee.is_undefined()) fail_undefined(callee);
  throw Error(type_object(callee) + " is not callable");
}

Value Interpreter::apply_filter(const std::string& name, const Value& input, const CallArgs& args) {
  FilterFn fn = find_filter(name);
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
