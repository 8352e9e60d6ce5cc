#pragma once
// The parsed template: expressions and statements, each tagged with its source line
// so runtime errors can point at it.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "chat/jinja/value.h"

namespace slm::jinja {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  enum class Kind {
    Literal,    // literal
    Name,       // name
    GetAttr,    // operands[0].name
    GetItem,    // operands[0][operands[1]]
    Slice,      // operands[0][operands[1]:operands[2]:operands[3]] (null parts allowed)
    Call,       // operands[0](operands[1..], keywords)
    Filter,     // operands[0] | name(operands[1..], keywords); operands[0] null inside filter blocks
    Test,       // operands[0] is [not] name(operands[1..], keywords)
    Unary,      // name in {"-", "+", "not"}
    Binary,     // operands[0] name operands[1]; name is an arithmetic or `~` operator
    Compare,    // operands[0] compare_ops[0] operands[1] compare_ops[1] operands[2]...
    And,
    Or,
    Conditional,  // operands[1] if operands[0] else operands[2] (else may be null)
    ListLiteral,
    TupleLiteral,
    DictLiteral,  // operands alternate key, value
  };
  Kind kind;
  int line = 0;
  int depth = 1;  // height of this subtree, bounded by the parser
  std::string name;
  Value literal;
  bool negated = false;
  std::vector<ExprPtr> operands;
  std::vector<std::pair<std::string, ExprPtr>> keywords;
  std::vector<std::string> compare_ops;
};

struct Node;
using NodePtr = std::unique_ptr<Node>;
using NodeList = std::vector<NodePtr>;

struct MacroParam {
  std::string name;
  ExprPtr default_value;  // null when required
};

struct Node {
  enum class Kind {
    Text,         // text
    Output,       // {{ expr }}
    If,           // branches (condition, body); else_body
    For,          // targets in expr [if condition]: body, else_body
    Set,          // targets (or namespace_name.attribute) = expr
    SetBlock,     // {% set targets[0] | filters %}body{% endset %}
    Macro,        // {% macro name(params) %}body
    CallBlock,    // {% call(params) expr %}body: expr is invoked with `caller`
    FilterBlock,  // {% filter filters %}body
    With,         // {% with targets = values %}body
    Break,
    Continue,
    Scope,        // body rendered in place ({% generation %})
  };
  Kind kind;
  int line = 0;
  std::string text;
  ExprPtr expr;
  ExprPtr condition;
  std::vector<std::pair<ExprPtr, NodeList>> branches;
  NodeList body, else_body;
  std::vector<std::string> targets;
  std::string namespace_attribute;  // set when the target is `ns.attr`
  std::vector<ExprPtr> filters;     // Filter exprs with a null input
  std::vector<MacroParam> params;
  std::vector<ExprPtr> values;      // {% with %} values, one per target
};

}  // namespace slm::jinja
