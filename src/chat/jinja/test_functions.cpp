// Jinja2's built-in tests (`x is defined`, `n is divisibleby 3`, ...), with Python's
// notion of each type (bool counts as a number; undefined is iterable and a sequence).
#include <cmath>
#include <map>

#include "chat/jinja/builtins.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/text_case.h"
#include "slm/error.h"

namespace slm::jinja {
namespace {

const Value& one_arg(const CallArgs& args, const char* test) {
  if (args.positional.size() != 1 || !args.named.empty())
    throw Error(std::string("test '") + test + "' takes exactly one argument");
  return args.positional[0];
}

bool compare(Interpreter& in, const Value& a, const Value& b, bool (*cmp)(const Value&, const Value&)) {
  if (a.is_undefined()) fail_undefined(a);
  if (b.is_undefined()) fail_undefined(b);
  return cmp(a, b);
}

// value % 2 as Python computes it (floats too: 2.5 % 2 == 0.5).
double python_mod_2(const Value& v) {
  if (v.is_undefined()) fail_undefined(v);
  if (!v.is_number()) throw Error("unsupported operand type(s) for %: '" + v.type_name() + "' and 'int'");
  if (v.is_float()) {
    double r = std::fmod(v.as_double(), 2.0);
    return r < 0 ? r + 2.0 : r;
  }
  int64_t r = v.as_int() % 2;
  return static_cast<double>(r < 0 ? r + 2 : r);
}

#define TEST(...) [](Interpreter & in, const Value& v, const CallArgs& args) -> bool { __VA_ARGS__ }

bool test_eq(Interpreter&, const Value& v, const CallArgs& args) { return values_equal(v, one_arg(args, "eq")); }
bool test_ne(Interpreter&, const Value& v, const CallArgs& args) { return !values_equal(v, one_arg(args, "ne")); }
bool test_lt(Interpreter& in, const Value& v, const CallArgs& args) {
  return compare(in, v, one_arg(args, "lt"), value_less);
}
bool test_gt(Interpreter& in, const Value& v, const CallArgs& args) {
  return compare(in, one_arg(args, "gt"), v, value_less);
}
bool test_le(Interpreter& in, const Value& v, const CallArgs& args) {
  return !compare(in, one_arg(args, "le"), v, value_less);
}
bool test_ge(Interpreter& in, const Value& v, const CallArgs& args) {
  return !compare(in, v, one_arg(args, "ge"), value_less);
}

const std::map<std::string, TestFn>& tests() {
  static const std::map<std::string, TestFn> table = {
      {"defined", TEST({ return !v.is_undefined(); })},
      {"undefined", TEST({ return v.is_undefined(); })},
      {"none", TEST({ return v.is_none(); })},
      {"boolean", TEST({ return v.is_bool(); })},
      {"true", TEST({ return v.is_bool() && v.as_bool(); })},
      {"false", TEST({ return v.is_bool() && !v.as_bool(); })},
      {"string", TEST({ return v.is_string(); })},
      {"number", TEST({ return v.is_number(); })},
      {"integer", TEST({ return v.is_int(); })},
      {"float", TEST({ return v.is_float(); })},
      {"mapping", TEST({ return v.is_dict(); })},
      {"iterable", TEST({ return v.is_string() || v.is_list() || v.is_dict() || v.is_undefined(); })},
      {"sequence", TEST({ return v.is_string() || v.is_list() || v.is_dict() || v.is_undefined(); })},
      {"callable", TEST({ return v.is_callable(); })},
      {"escaped", TEST({ return v.is_markup(); })},
      {"lower", TEST({ return v.is_string() && lower(v.as_string()) == v.as_string(); })},
      {"upper", TEST({ return v.is_string() && upper(v.as_string()) == v.as_string(); })},
      {"odd", TEST({ return python_mod_2(v) == 1; })},
      {"even", TEST({ return python_mod_2(v) == 0; })},
      {"divisibleby", TEST({
         const Value& n = one_arg(args, "divisibleby");
         if (!v.is_number() || !n.is_number()) throw Error("test 'divisibleby' needs numbers");
         if (v.is_float() || n.is_float()) return std::fmod(v.as_double(), n.as_double()) == 0;
         if (n.as_int() == 0) throw Error("integer division or modulo by zero");
         return v.as_int() % n.as_int() == 0;
       })},
      {"in", TEST({
         const Value& seq = one_arg(args, "in");
         if (seq.is_string()) return v.is_string() && seq.as_string().find(v.as_string()) != std::string::npos;
         if (seq.is_dict()) return seq.as_dict().find(v) != nullptr;
         for (const auto& item : iterate(seq))
           if (values_equal(item, v)) return true;
         return false;
       })},
      {"sameas", TEST({
         const Value& other = one_arg(args, "sameas");
         if (v.kind() != other.kind()) return false;
         // Python interns small ints and literal strings, so equal values of these kinds
         // are usually the same object.
         if (v.is_none() || v.is_bool() || v.is_int() || v.is_string()) return values_equal(v, other);
         if (v.is_callable()) return &v.as_callable() == &other.as_callable();
         if (v.is_dict() || v.is_namespace()) return &v.as_dict() == &other.as_dict();
         if (v.is_list()) return &v.as_list() == &other.as_list();
         return false;
       })},
      {"filter", TEST({ return v.is_string() && find_filter(v.as_string()) != nullptr; })},
      {"test", TEST({ return v.is_string() && find_test(v.as_string()) != nullptr; })},
      {"eq", test_eq}, {"equalto", test_eq}, {"==", test_eq},
      {"ne", test_ne}, {"!=", test_ne},
      {"lt", test_lt}, {"lessthan", test_lt}, {"<", test_lt},
      {"le", test_le}, {"<=", test_le},
      {"gt", test_gt}, {"greaterthan", test_gt}, {">", test_gt},
      {"ge", test_ge}, {">=", test_ge},
  };
  return table;
}

#undef TEST

}  // namespace

TestFn find_test(const std::string& name) {
  auto it = tests().find(name);
  return it == tests().end() ? nullptr : it->second;
}

}  // namespace slm::jinja
