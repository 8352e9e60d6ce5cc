#include "chat/jinja/parser.h"

#include <cerrno>
#include <cstdlib>
#include <set>

#include "chat/jinja/builtins.h"
#include "slm/error.h"

namespace slm::jinja {
namespace {

using T = Token::Type;

class Parser {
 public:
  explicit Parser(const std::vector<Token>& tokens) : tokens_(tokens) {}

  NodeList parse_template() {
    std::string end_tag;
    NodeList nodes = parse_body({}, end_tag);
    return nodes;
  }

 private:
  const Token& peek(size_t ahead = 0) const {
    size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
  }
  const Token& next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  [[noreturn]] void fail(const std::string& msg, int line = -1) const {
    throw Error("template line " + std::to_string(line < 0 ? peek().line : line) + ": syntax error: " + msg);
  }
  bool is_op(const char* op, size_t ahead = 0) const {
    return peek(ahead).type == T::Op && peek(ahead).value == op;
  }
  bool is_name(const char* name, size_t ahead = 0) const {
    return peek(ahead).type == T::Name && peek(ahead).value == name;
  }
  bool skip_op(const char* op) {
    if (!is_op(op)) return false;
    next();
    return true;
  }
  bool skip_name(const char* name) {
    if (!is_name(name)) return false;
    next();
    return true;
  }
  void expect_op(const char* op) {
    if (!skip_op(op)) fail(std::string("expected '") + op + "', got " + describe(peek()));
  }
  std::string expect_name() {
    if (peek().type != T::Name) fail("expected a name, got " + describe(peek()));
    return next().value;
  }
  void expect_block_end() {
    if (peek().type != T::BlockEnd) fail("expected end of statement block, got " + describe(peek()));
    next();
  }
  static std::string describe(const Token& t) {
    switch (t.type) {
      case T::Eof: return "end of template";
      case T::BlockEnd: return "'%}'";
      case T::VarEnd: return "'}}'";
      case T::String: return "string literal";
      default: return "'" + t.value + "'";
    }
  }

  // Records the height of a finished node; hostile chains (`x|e|e|e...`, `1+1+1...`)
  // fail here instead of building trees too deep to evaluate.
  ExprPtr seal(ExprPtr e) {
    int depth = 0;
    for (const auto& o : e->operands)
      if (o) depth = std::max(depth, o->depth);
    for (const auto& [k, v] : e->keywords) depth = std::max(depth, v->depth);
    e->depth = depth + 1;
    if (e->depth > kMaxExpressionDepth) fail("expression nested too deeply", e->line);
    return e;
  }

  ExprPtr make(Expr::Kind kind, int line) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->line = line;
    return e;
  }

  // Parses nodes until one of `end_tags` opens a block; that tag's name is consumed and
  // returned in `end_tag` (the rest of its block is left to the caller).
  NodeList parse_body(const std::set<std::string>& end_tags, std::string& end_tag) {
    NodeList nodes;
    while (true) {
      const Token& t = peek();
      if (t.type == T::Eof) {
        if (!end_tags.empty()) {
          std::string expected = *end_tags.begin();
          for (const auto& tag : end_tags)
            if (tag.rfind("end", 0) == 0) expected = tag;
          fail("unexpected end of template, expected '" + expected + "'");
        }
        return nodes;
      }
      if (t.type == T::Text) {
        auto n = std::make_unique<Node>();
        n->kind = Node::Kind::Text;
        n->line = t.line;
        n->text = t.value;
        nodes.push_back(std::move(n));
        next();
      } else if (t.type == T::VarBegin) {
        next();
        auto n = std::make_unique<Node>();
        n->kind = Node::Kind::Output;
        n->line = t.line;
        n->expr = parse_tuple();
        if (peek().type != T::VarEnd) fail("expected '}}', got " + describe(peek()));
        next();
        nodes.push_back(std::move(n));
      } else if (t.type == T::BlockBegin) {
        next();
        if (peek().type != T::Name) fail("expected a tag name, got " + describe(peek()));
        const std::string& tag = peek().value;
        if (end_tags.count(tag)) {
          end_tag = tag;
          next();
          return nodes;
        }
        nodes.push_back(parse_statement());
      } else {
        fail("unexpected " + describe(t));
      }
    }
  }

  NodePtr parse_statement() {
    NestingGuard guard(*this);
    const Token& tag = next();
    auto n = std::make_unique<Node>();
    n->line = tag.line;
    const std::string& name = tag.value;
    if (name == "if") return parse_if(std::move(n));
    if (name == "for") return parse_for(std::move(n));
    if (name == "set") return parse_set(std::move(n));
    if (name == "macro") return parse_macro(std::move(n));
    if (name == "call") return parse_call_block(std::move(n));
    if (name == "filter") return parse_filter_block(std::move(n));
    if (name == "with") return parse_with(std::move(n));
    if (name == "break" || name == "continue") {
      if (loop_depth_ == 0) fail("'" + name + "' outside of a loop", tag.line);
      n->kind = name == "break" ? Node::Kind::Break : Node::Kind::Continue;
      expect_block_end();
      return n;
    }
    if (name == "generation") {
      n->kind = Node::Kind::Scope;
      expect_block_end();
      n->body = parse_block_until("endgeneration");
      return n;
    }
    fail("unknown tag '" + name + "'", tag.line);
  }

  NodeList parse_block_until(const std::string& end) {
    std::string found;
    NodeList body = parse_body({end}, found);
    expect_block_end();
    return body;
  }

  NodePtr parse_if(NodePtr n) {
    n->kind = Node::Kind::If;
    ExprPtr cond = parse_tuple();
    expect_block_end();
    while (true) {
      std::string end;
      NodeList body = parse_body({"elif", "else", "endif"}, end);
      n->branches.emplace_back(std::move(cond), std::move(body));
      if (end == "elif") {
        cond = parse_tuple();
        expect_block_end();
        continue;
      }
      if (end == "else") {
        expect_block_end();
        n->else_body = parse_block_until("endif");
        return n;
      }
      expect_block_end();
      return n;
    }
  }

  std::vector<std::string> parse_target_names() {
    std::vector<std::string> names;
    bool paren = skip_op("(");
    do {
      names.push_back(expect_name());
    } while (skip_op(","));
    if (paren) expect_op(")");
    return names;
  }

  NodePtr parse_for(NodePtr n) {
    n->kind = Node::Kind::For;
    n->targets = parse_target_names();
    if (!skip_name("in")) fail("expected 'in' in for loop");
    n->expr = parse_tuple(/*with_condexpr=*/false);
    if (skip_name("if")) n->condition = parse_expression();
    if (skip_name("recursive")) fail("recursive loops are not supported");
    expect_block_end();
    ++loop_depth_;
    std::string end;
    n->body = parse_body({"else", "endfor"}, end);
    --loop_depth_;
    expect_block_end();
    if (end == "else") n->else_body = parse_block_until("endfor");
    return n;
  }

  NodePtr parse_set(NodePtr n) {
    if (peek().type == T::Name && is_op(".", 1)) {
      n->kind = Node::Kind::Set;
      n->targets.push_back(next().value);
      next();
      n->namespace_attribute = expect_name();
      expect_op("=");
      n->expr = parse_tuple();
      expect_block_end();
      return n;
    }
    n->targets = parse_target_names();
    if (skip_op("=")) {
      n->kind = Node::Kind::Set;
      n->expr = parse_tuple();
      expect_block_end();
      return n;
    }
    if (n->targets.size() != 1) fail("block set takes a single name");
    n->kind = Node::Kind::SetBlock;
    while (skip_op("|")) n->filters.push_back(parse_filter(nullptr));
    expect_block_end();
    n->body = parse_block_until("endset");
    return n;
  }

  std::vector<MacroParam> parse_params() {
    std::vector<MacroParam> params;
    expect_op("(");
    while (!is_op(")")) {
      if (!params.empty()) expect_op(",");
      MacroParam p;
      p.name = expect_name();
      if (skip_op("=")) p.default_value = parse_expression();
      params.push_back(std::move(p));
    }
    expect_op(")");
    return params;
  }

  NodePtr parse_macro(NodePtr n) {
    n->kind = Node::Kind::Macro;
    n->text = expect_name();
    n->params = parse_params();
    expect_block_end();
    int saved = loop_depth_;
    loop_depth_ = 0;
    n->body = parse_block_until("endmacro");
    loop_depth_ = saved;
    return n;
  }

  NodePtr parse_call_block(NodePtr n) {
    n->kind = Node::Kind::CallBlock;
    if (is_op("(")) n->params = parse_params();
    n->expr = parse_expression();
    if (n->expr->kind != Expr::Kind::Call) fail("expected a call after 'call'");
    expect_block_end();
    n->body = parse_block_until("endcall");
    return n;
  }

  NodePtr parse_filter_block(NodePtr n) {
    n->kind = Node::Kind::FilterBlock;
    do {
      n->filters.push_back(parse_filter(nullptr));
    } while (skip_op("|"));
    expect_block_end();
    n->body = parse_block_until("endfilter");
    return n;
  }

  NodePtr parse_with(NodePtr n) {
    n->kind = Node::Kind::With;
    while (peek().type != T::BlockEnd) {
      if (!n->targets.empty()) expect_op(",");
      n->targets.push_back(expect_name());
      expect_op("=");
      n->values.push_back(parse_expression());
    }
    expect_block_end();
    n->body = parse_block_until("endwith");
    return n;
  }

  // ---- expressions, loosest binding first ----

  bool at_tuple_end() const {
    const Token& t = peek();
    return t.type == T::VarEnd || t.type == T::BlockEnd || t.type == T::Eof || is_op(")") ||
           is_name("if") || is_name("in");
  }

  // `a, b` without parentheses forms a tuple where Jinja allows it.
  ExprPtr parse_tuple(bool with_condexpr = true) {
    int line = peek().line;
    ExprPtr first = with_condexpr ? parse_expression() : parse_or();
    if (!is_op(",")) return first;
    auto tuple = make(Expr::Kind::TupleLiteral, line);
    tuple->operands.push_back(std::move(first));
    while (skip_op(",")) {
      if (at_tuple_end()) break;
      tuple->operands.push_back(with_condexpr ? parse_expression() : parse_or());
    }
    return seal(std::move(tuple));
  }

  ExprPtr parse_expression() {
    NestingGuard guard(*this);
    ExprPtr expr = parse_or();
    while (is_name("if")) {
      int line = next().line;
      auto cond = make(Expr::Kind::Conditional, line);
      cond->operands.push_back(parse_or());
      cond->operands.push_back(std::move(expr));
      cond->operands.push_back(skip_name("else") ? parse_expression() : nullptr);
      expr = seal(std::move(cond));
    }
    return expr;
  }

  ExprPtr parse_or() {
    ExprPtr left = parse_and();
    while (is_name("or")) {
      auto e = make(Expr::Kind::Or, next().line);
      e->operands.push_back(std::move(left));
      e->operands.push_back(parse_and());
      left = seal(std::move(e));
    }
    return left;
  }

  ExprPtr parse_and() {
    ExprPtr left = parse_not();
    while (is_name("and")) {
      auto e = make(Expr::Kind::And, next().line);
      e->operands.push_back(std::move(left));
      e->operands.push_back(parse_not());
      left = seal(std::move(e));
    }
    return left;
  }

  ExprPtr parse_not() {
    NestingGuard guard(*this);
    if (is_name("not")) {
      auto e = make(Expr::Kind::Unary, next().line);
      e->name = "not";
      e->operands.push_back(parse_not());
      return seal(std::move(e));
    }
    return parse_compare();
  }

  ExprPtr parse_compare() {
    int line = peek().line;
    ExprPtr first = parse_math1();
    ExprPtr cmp;
    while (true) {
      std::string op;
      if (peek().type == T::Op && (peek().value == "==" || peek().value == "!=" || peek().value == "<" ||
                                   peek().value == "<=" || peek().value == ">" || peek().value == ">=")) {
        op = next().value;
      } else if (is_name("in")) {
        next();
        op = "in";
      } else if (is_name("not") && is_name("in", 1)) {
        next();
        next();
        op = "not in";
      } else {
        break;
      }
      if (!cmp) {
        cmp = make(Expr::Kind::Compare, line);
        cmp->operands.push_back(std::move(first));
      }
      cmp->compare_ops.push_back(op);
      cmp->operands.push_back(parse_math1());
    }
    return cmp ? seal(std::move(cmp)) : std::move(first);
  }

  ExprPtr binary(ExprPtr left, const std::string& op, ExprPtr right, int line) {
    auto e = make(Expr::Kind::Binary, line);
    e->name = op;
    e->operands.push_back(std::move(left));
    e->operands.push_back(std::move(right));
    return seal(std::move(e));
  }

  ExprPtr parse_math1() {
    ExprPtr left = parse_concat();
    while (is_op("+") || is_op("-")) {
      const Token& t = next();
      left = binary(std::move(left), t.value, parse_concat(), t.line);
    }
    return left;
  }

  ExprPtr parse_concat() {
    ExprPtr left = parse_math2();
    while (is_op("~")) {
      const Token& t = next();
      left = binary(std::move(left), "~", parse_math2(), t.line);
    }
    return left;
  }

  ExprPtr parse_math2() {
    ExprPtr left = parse_pow();
    while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
      const Token& t = next();
      left = binary(std::move(left), t.value, parse_pow(), t.line);
    }
    return left;
  }

  ExprPtr parse_pow() {
    ExprPtr left = parse_unary(true);
    while (is_op("**")) {
      const Token& t = next();
      left = binary(std::move(left), "**", parse_unary(true), t.line);
    }
    return left;
  }

  ExprPtr parse_unary(bool with_filter) {
    NestingGuard guard(*this);
    ExprPtr node;
    if (is_op("-") || is_op("+")) {
      const Token& t = next();
      node = make(Expr::Kind::Unary, t.line);
      node->name = t.value;
      node->operands.push_back(parse_unary(false));
      node = seal(std::move(node));
    } else {
      node = parse_primary();
    }
    node = parse_postfix(std::move(node));
    if (with_filter) node = parse_filter_expr(std::move(node));
    return node;
  }

  int64_t int_literal(const Token& t) {
    errno = 0;
    long long v = std::strtoll(t.value.c_str(), nullptr, 10);
    if (errno == ERANGE) fail("integer literal out of range", t.line);
    return static_cast<int64_t>(v);
  }

  ExprPtr literal(Value v, int line) {
    auto e = make(Expr::Kind::Literal, line);
    e->literal = std::move(v);
    return e;
  }

  ExprPtr parse_primary() {
    const Token& t = peek();
    int line = t.line;
    switch (t.type) {
      case T::Name: {
        next();
        if (t.value == "true" || t.value == "True") return literal(Value(true), line);
        if (t.value == "false" || t.value == "False") return literal(Value(false), line);
        if (t.value == "none" || t.value == "None") return literal(Value::none(), line);
        auto e = make(Expr::Kind::Name, line);
        e->name = t.value;
        return e;
      }
      case T::String: {
        std::string s;
        while (peek().type == T::String) s += next().value;  // adjacent literals concatenate
        return literal(Value(s), line);
      }
      case T::Int: next(); return literal(Value(int_literal(t)), line);
      case T::Float: next(); return literal(Value(std::strtod(t.value.c_str(), nullptr)), line);  // 1e999 -> inf
      case T::Op:
        if (t.value == "(") {
          next();
          if (skip_op(")")) return make(Expr::Kind::TupleLiteral, line);
          ExprPtr inner = parse_tuple();
          expect_op(")");
          return inner;
        }
        if (t.value == "[") {
          next();
          auto e = make(Expr::Kind::ListLiteral, line);
          while (!is_op("]")) {
            if (!e->operands.empty()) {
              expect_op(",");
              if (is_op("]")) break;
            }
            e->operands.push_back(parse_expression());
          }
          expect_op("]");
          return seal(std::move(e));
        }
        if (t.value == "{") {
          next();
          auto e = make(Expr::Kind::DictLiteral, line);
          while (!is_op("}")) {
            if (!e->operands.empty()) {
              expect_op(",");
              if (is_op("}")) break;
            }
            e->operands.push_back(parse_expression());
            expect_op(":");
            e->operands.push_back(parse_expression());
          }
          expect_op("}");
          return seal(std::move(e));
        }
        break;
      default: break;
    }
    fail("unexpected " + describe(t));
  }

  ExprPtr parse_postfix(ExprPtr node) {
    while (true) {
      if (is_op(".")) {
        int line = next().line;
        if (peek().type == T::Int) {
          auto e = make(Expr::Kind::GetItem, line);
          e->operands.push_back(std::move(node));
          e->operands.push_back(literal(Value(int_literal(next())), line));
          node = seal(std::move(e));
        } else {
          auto e = make(Expr::Kind::GetAttr, line);
          e->name = expect_name();
          e->operands.push_back(std::move(node));
          node = seal(std::move(e));
        }
      } else if (is_op("[")) {
        node = parse_subscript(std::move(node));
      } else if (is_op("(")) {
        node = parse_call(std::move(node));
      } else {
        return node;
      }
    }
  }

  ExprPtr parse_subscript(ExprPtr target) {
    int line = next().line;
    ExprPtr parts[3];
    int part = 0;
    bool is_slice = false;
    while (!is_op("]")) {
      if (skip_op(":")) {
        is_slice = true;
        if (++part > 2) fail("too many ':' in slice");
        continue;
      }
      if (parts[part]) fail("expected ']' or ':'");
      parts[part] = parse_expression();
    }
    next();
    if (!is_slice) {
      if (!parts[0]) fail("empty subscript", line);
      auto e = make(Expr::Kind::GetItem, line);
      e->operands.push_back(std::move(target));
      e->operands.push_back(std::move(parts[0]));
      return seal(std::move(e));
    }
    auto e = make(Expr::Kind::Slice, line);
    e->operands.push_back(std::move(target));
    for (auto& p : parts) e->operands.push_back(std::move(p));
    return seal(std::move(e));
  }

  void parse_call_args(Expr& e) {
    expect_op("(");
    bool first = true;
    while (!is_op(")")) {
      if (!first) {
        expect_op(",");
        if (is_op(")")) break;
      }
      first = false;
      if (peek().type == T::Name && is_op("=", 1)) {
        std::string key = next().value;
        next();
        e.keywords.emplace_back(key, parse_expression());
      } else {
        if (!e.keywords.empty()) fail("positional argument after keyword argument");
        e.operands.push_back(parse_expression());
      }
    }
    expect_op(")");
  }

  ExprPtr parse_call(ExprPtr callee) {
    auto e = make(Expr::Kind::Call, peek().line);
    e->operands.push_back(std::move(callee));
    parse_call_args(*e);
    return seal(std::move(e));
  }

  std::string parse_dotted_name() {
    std::string name = expect_name();
    while (is_op(".") && peek(1).type == T::Name) {
      next();
      name += "." + next().value;
    }
    return name;
  }

  // `| name(args)`; `input` is null inside {% filter %} and {% set x | f %}.
  ExprPtr parse_filter(ExprPtr input) {
    auto e = make(Expr::Kind::Filter, peek().line);
    e->operands.push_back(std::move(input));
    e->name = parse_dotted_name();
    // Like Jinja, an unknown filter is a compile-time error even in a branch never run.
    if (!find_filter(e->name) && !is_unsupported_jinja_filter(e->name))
      fail("no filter named '" + e->name + "'", e->line);
    if (is_op("(")) parse_call_args(*e);
    return seal(std::move(e));
  }

  ExprPtr parse_filter_expr(ExprPtr node) {
    while (true) {
      if (skip_op("|")) {
        node = parse_filter(std::move(node));
      } else if (is_name("is")) {
        node = parse_test(std::move(node));
      } else if (is_op("(")) {
        node = parse_call(std::move(node));
      } else {
        return node;
      }
    }
  }

  ExprPtr parse_test(ExprPtr input) {
    auto e = make(Expr::Kind::Test, next().line);
    e->operands.push_back(std::move(input));
    e->negated = skip_name("not");
    e->name = parse_dotted_name();
    if (!find_test(e->name)) fail("no test named '" + e->name + "'", e->line);
    if (is_op("(")) {
      parse_call_args(*e);
    } else {
      const Token& t = peek();
      bool starts_arg = t.type == T::Name || t.type == T::String || t.type == T::Int || t.type == T::Float ||
                        is_op("[") || is_op("{");
      if (starts_arg && !is_name("else") && !is_name("or") && !is_name("and") && !is_name("if") &&
          !is_name("in") && !is_name("not") && !is_name("is")) {
        e->operands.push_back(parse_postfix(parse_primary()));
      }
    }
    return seal(std::move(e));
  }

  // Bounds recursion so hostile nesting fails cleanly instead of overflowing the stack.
  struct NestingGuard {
    Parser& p;
    explicit NestingGuard(Parser& parser) : p(parser) {
      if (++p.nesting_ > kMaxNesting) p.fail("expressions or blocks nested too deeply");
    }
    ~NestingGuard() { --p.nesting_; }
  };
  static constexpr int kMaxNesting = 200;
  static constexpr int kMaxExpressionDepth = 300;

  const std::vector<Token>& tokens_;
  int nesting_ = 0;
  size_t pos_ = 0;
  int loop_depth_ = 0;
};

}  // namespace

NodeList parse(const std::vector<Token>& tokens) { return Parser(tokens).parse_template(); }

}  // namespace slm::jinja
