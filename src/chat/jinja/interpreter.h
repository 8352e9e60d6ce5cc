#pragma once
// Renders a parsed template: evaluates expressions over the value model, runs
// statements with Jinja2 scoping, and enforces the sandbox limits.
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "chat/jinja/ast.h"
#include "chat/jinja/limits.h"
#include "chat/jinja/value.h"

namespace slm::jinja {

// A frame of variables. Loops and macro calls push a child frame, so assignments
// inside them do not leak out (Jinja2 scoping); lookups walk up the chain.
struct Scope {
  std::shared_ptr<Scope> parent;
  std::unordered_map<std::string, Value> vars;

  const Value* lookup(const std::string& name) const;
};
using ScopePtr = std::shared_ptr<Scope>;

class Interpreter {
 public:
  explicit Interpreter(const Limits& limits) : limits_(limits) {}
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  // `globals` (functions such as range or raise_exception) sit below `context`, which
  // holds the template variables.
  std::string render(const NodeList& nodes, const Dict& globals, const Dict& context);

  Value call(const Value& callee, CallArgs& args);
  Value apply_filter(const std::string& name, const Value& input, const CallArgs& args);
  bool apply_test(const std::string& name, const Value& input, const CallArgs& args);
  Value get_attribute(const Value& obj, const std::string& name);
  Value get_item(const Value& obj, const Value& key);

  // Throws LimitError when a string of `bytes` would exceed the output cap, or building
  // it would exceed the render's copy budget.
  void check_string_size(size_t bytes);
  // Charges building a list of `items` values to the copy budget.
  void check_list_size(size_t items);
  void count_iterations(int64_t n);
  // Namespaces are the only mutable values, so only they can end up containing
  // themselves; the interpreter empties them when it is done to free such cycles.
  void track_namespace(const Value& ns) { namespaces_.push_back(ns); }
  const Limits& limits() const { return limits_; }

 private:
  enum class Flow { Normal, Break, Continue };

  Flow exec_list(const NodeList& nodes, const ScopePtr& scope, std::string& out);
  Flow exec(const Node& node, const ScopePtr& scope, std::string& out);  // adds the line to errors
  Flow exec_node(const Node& node, const ScopePtr& scope, std::string& out);
  void exec_for(const Node& node, const ScopePtr& scope, std::string& out);
  void exec_set(const Node& node, const ScopePtr& scope);
  void exec_call_block(const Node& node, const ScopePtr& scope, std::string& out);
  Value make_macro(const Node& node, const ScopePtr& scope, const std::string& name);
  Value call_macro(const Node& node, const ScopePtr& defining_scope, const std::string& name, CallArgs& args);
  Value apply_filter_chain(const std::vector<ExprPtr>& filters, Value input, const ScopePtr& scope);

  Value eval(const Expr& e, const ScopePtr& scope);
  Value eval_inner(const Expr& e, const ScopePtr& scope);
  CallArgs eval_args(const Expr& e, size_t first_operand, const ScopePtr& scope);
  Value eval_binary(const std::string& op, const Value& a, const Value& b);
  bool eval_compare(const std::string& op, const Value& a, const Value& b);
  Value eval_slice(const Value& target, const Value& start, const Value& stop, const Value& step);
  void emit(std::string& out, const std::string& text);
  void charge_copy(size_t bytes);

  Limits limits_;
  int call_depth_ = 0;
  int64_t iterations_ = 0;
  size_t copied_bytes_ = 0;
  std::unordered_map<const Node*, bool> loop_var_used_;
  std::vector<ScopePtr> macro_scopes_;
  std::vector<Value> namespaces_;  // keeps scopes that define macros alive for the render
};

// Throws the error for using an undefined value (its hint says which name was missing).
[[noreturn]] void fail_undefined(const Value& v);

}  // namespace slm::jinja
