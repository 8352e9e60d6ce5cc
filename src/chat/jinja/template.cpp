#include "chat/jinja/template.h"

#include "chat/jinja/builtins.h"
#include "chat/jinja/format.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/lexer.h"
#include "chat/jinja/parser.h"
#include "slm/error.h"

namespace slm::jinja {
namespace {

Value range_function(Interpreter& in, CallArgs& args) {
  if (!args.named.empty() || args.positional.empty() || args.positional.size() > 3)
    throw Error("range expected 1 to 3 integer arguments");
  std::vector<int64_t> n;
  for (const auto& a : args.positional) {
    if (!a.is_int() && !a.is_bool()) throw Error("range() integer argument expected, got " + a.type_name());
    n.push_back(a.as_int());
  }
  int64_t start = n.size() == 1 ? 0 : n[0];
  int64_t stop = n.size() == 1 ? n[0] : n[1];
  int64_t step = n.size() == 3 ? n[2] : 1;
  if (step == 0) throw Error("range() arg 3 must not be zero");
  int64_t count = 0;
  if (step > 0 && stop > start) count = (stop - start + step - 1) / step;
  if (step < 0 && stop < start) count = (start - stop - step - 1) / -step;
  if (count > in.limits().max_range)
    throw Error("range too big: " + std::to_string(count) + " items, the sandbox allows " +
                std::to_string(in.limits().max_range));
  List items;
  items.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) items.emplace_back(start + i * step);
  return Value::list(std::move(items));
}

Value dict_function(Interpreter&, CallArgs& args) {
  Dict d;
  for (const auto& a : args.positional) {
    if (!a.is_dict()) throw Error("dict() positional argument must be a mapping");
    for (const auto& [k, v] : a.as_dict().items()) d.set(k, v);
  }
  for (const auto& [k, v] : args.named) d.set(Value(k), v);
  return Value::dict(std::move(d));
}

Value namespace_function(Interpreter& in, CallArgs& args) {
  Value d = dict_function(in, args);
  Value ns = Value::namespace_object(d.as_dict());
  in.track_namespace(ns);
  return ns;
}

// joiner(sep): a function returning "" on its first call and `sep` afterwards.
Value joiner_function(Interpreter&, CallArgs& args) {
  auto a = bind_args(args, {"sep"}, "joiner");
  std::string sep = a[0] ? python_str(*a[0]) : ", ";
  auto used = std::make_shared<bool>(false);
  return Value::callable("joiner", [sep, used](Interpreter&, CallArgs&) -> Value {
    if (!*used) {
      *used = true;
      return Value("");
    }
    return Value(sep);
  });
}

Dict default_globals() {
  Dict g;
  g.set(Value("range"), Value::callable("range", range_function));
  g.set(Value("dict"), Value::callable("dict", dict_function));
  g.set(Value("namespace"), Value::callable("namespace", namespace_function));
  g.set(Value("joiner"), Value::callable("joiner", joiner_function));
  return g;
}

}  // namespace

Template Template::parse(const std::string& source) {
  Template t;
  t.nodes_ = std::make_shared<const NodeList>(jinja::parse(tokenize(source)));
  return t;
}

std::string Template::render(const Dict& context, const Dict& extra_globals, const Limits& limits) const {
  if (!nodes_) throw Error("render of a template that was never parsed");
  Dict globals = default_globals();
  for (const auto& [k, v] : extra_globals.items()) globals.set(k, v);
  Interpreter interpreter(limits);
  return interpreter.render(*nodes_, globals, context);
}

}  // namespace slm::jinja
