// Statement execution: output, control flow, assignment scoping, macros and the
// sandbox accounting.
#include "chat/jinja/interpreter.h"

#include <optional>

#include "chat/jinja/builtins.h"
#include "chat/jinja/errors.h"
#include "chat/jinja/format.h"

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

bool expr_uses_name(const Expr* e, const std::string& name);

// Whether a subtree mentions `name`: loops build the `loop` object only for bodies
// that read it.
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

}  // namespace

std::string Interpreter::render(const NodeList& nodes, const Dict& globals, const Dict& context) {
  auto global_scope = std::make_shared<Scope>();
  for (const auto& [k, v] : globals.items()) global_scope->vars[k.as_string()] = v;
  auto root = std::make_shared<Scope>();
  root->parent = global_scope;
  for (const auto& [k, v] : context.items()) root->vars[k.as_string()] = v;
  std::string out;
  exec_list(nodes, root, out);
  return out;
}

Interpreter::~Interpreter() {
  // Break the cycles of namespaces that were made to contain themselves.
  for (auto& ns : namespaces_) ns.namespace_dict().clear();
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
  } catch (const std::exception& e) {
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

}  // namespace slm::jinja
