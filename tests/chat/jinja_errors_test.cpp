// Template errors: syntax errors name their line, runtime errors are slm::Error with the
// line, the sandbox refuses mutation, and hostile templates stop quickly at a limit.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>

#include "chat/jinja/errors.h"
#include "jinja_test_support.h"
#include "slm/error.h"

namespace slm::jinja::test {
namespace {

// The message of the slm::Error that `fn` throws ("" when it does not throw).
std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string render_error(const std::string& source) {
  return error_of([&] { render(source); });
}

std::string parse_error(const std::string& source) {
  return error_of([&] { Template::parse(source); });
}

TEST(JinjaErrors, SyntaxErrorsNameTheLine) {
  EXPECT_NE(parse_error("line1\n{% if true %}\nno end").find("line 3"), std::string::npos)
      << parse_error("line1\n{% if true %}\nno end");
  EXPECT_NE(parse_error("a\nb\n{{ 1 + }}").find("line 3"), std::string::npos);
  EXPECT_NE(parse_error("{% for x in %}{% endfor %}").find("line 1"), std::string::npos);
  EXPECT_NE(parse_error("\n\n\n{% frobnicate %}").find("line 4"), std::string::npos);
  EXPECT_NE(parse_error("{{ 'unterminated }}").find("line 1"), std::string::npos);
  EXPECT_NE(parse_error("\n{# never closed").find("line 2"), std::string::npos);
  EXPECT_NE(parse_error("{% if x %}{% endfor %}").find("syntax error"), std::string::npos);
  EXPECT_NE(parse_error("{% break %}").find("outside of a loop"), std::string::npos);
  EXPECT_NE(parse_error("{{ x }").find("line 1"), std::string::npos);
}

TEST(JinjaErrors, BadLiteralsAreSyntaxErrors) {
  EXPECT_NE(parse_error("\n{{ '\\xZZ' }}").find("line 2"), std::string::npos);
  EXPECT_NE(parse_error("{{ '\\U00110000' }}").find("escape"), std::string::npos);
  EXPECT_NE(parse_error("{{ 99999999999999999999 }}").find("out of range"), std::string::npos);
  EXPECT_EQ(render("{{ 1e999 }} {{ '\\U0001F600' | length }}"), "inf 1");
}

TEST(JinjaErrors, UnclosedBlockSaysWhichEndTagIsMissing) {
  EXPECT_NE(parse_error("{% if true %}x").find("endif"), std::string::npos);
  EXPECT_NE(parse_error("{% for x in y %}x").find("endfor"), std::string::npos);
}

TEST(JinjaErrors, UnknownFiltersAndTestsFailAtParseTime) {
  // As in Jinja, even inside a branch that would never run.
  std::string unknown_filter = parse_error("ok\n{% if false %}{{ 1 | no_such_filter }}{% endif %}");
  EXPECT_NE(unknown_filter.find("line 2"), std::string::npos);
  EXPECT_NE(unknown_filter.find("no filter named 'no_such_filter'"), std::string::npos);
  std::string unknown_test = parse_error("{{ 1 is frobbed }}");
  EXPECT_NE(unknown_test.find("no test named 'frobbed'"), std::string::npos);
}

TEST(JinjaErrors, UnsupportedJinjaFiltersFailOnlyWhenRun) {
  EXPECT_EQ(render("{% if false %}{{ 'x' | wordwrap(5) }}{% endif %}ok"), "ok");
  EXPECT_NE(render_error("{{ 'x' | urlencode }}").find("'urlencode' is not supported"), std::string::npos);
}

TEST(JinjaErrors, RuntimeErrorsNameTheLine) {
  std::string dynamic_filter = render_error("ok\n{{ [1] | map('no_such_filter') | list }}");
  EXPECT_NE(dynamic_filter.find("line 2"), std::string::npos);
  EXPECT_NE(dynamic_filter.find("no_such_filter"), std::string::npos);
  std::string call_undefined = render_error("\n\n{{ nothing_here() }}");
  EXPECT_NE(call_undefined.find("line 3"), std::string::npos);
  EXPECT_NE(call_undefined.find("'nothing_here' is undefined"), std::string::npos);
}

TEST(JinjaErrors, UndefinedFailsOnlyWhenUsed) {
  EXPECT_EQ(render("[{{ missing }}{{ missing.x is defined if false }}]"), "[]");
  EXPECT_NE(render_error("{{ missing + 1 }}").find("'missing' is undefined"), std::string::npos);
  EXPECT_NE(render_error("{{ missing.attr }}").find("'missing' is undefined"), std::string::npos);
  EXPECT_NE(render_error("{{ missing['k'] }}").find("'missing' is undefined"), std::string::npos);
  EXPECT_NE(render_error("{{ 'a' + missing }}").find("undefined"), std::string::npos);
  EXPECT_NE(render_error("{{ missing | tojson }}").find("not JSON serializable"), std::string::npos);
}

TEST(JinjaErrors, TypeErrorsAreReported) {
  EXPECT_NE(render_error("{{ 'a' + none }}").find("unsupported operand"), std::string::npos);
  EXPECT_NE(render_error("{{ 1 // 0 }}").find("division"), std::string::npos);
  EXPECT_NE(render_error("{{ 1 < 'a' }}").find("not supported"), std::string::npos);
  EXPECT_NE(render_error("{% for x in 5 %}{% endfor %}").find("not iterable"), std::string::npos);
  EXPECT_NE(render_error("{{ 1 in 5 }}").find("not iterable"), std::string::npos);
  EXPECT_NE(render_error("{{ 'x'() }}").find("not callable"), std::string::npos);
  EXPECT_NE(render_error("{% set d = {} %}{% set d.k = 1 %}").find("non-namespace"), std::string::npos);
}

TEST(JinjaErrors, SandboxIsImmutable) {
  EXPECT_EQ(render_error("{{ xs.append(4) }}"), "template line 1: access to attribute 'append' of 'list' object is unsafe.");
  EXPECT_NE(render_error("{% set l = [] %}{{ l.pop() }}").find("unsafe"), std::string::npos);
  EXPECT_NE(render_error("{{ d.update({'x': 1}) }}").find("unsafe"), std::string::npos);
  EXPECT_NE(render_error("{{ d.clear() }}").find("unsafe"), std::string::npos);
  EXPECT_NE(render_error("{{ d.setdefault('x', 1) }}").find("unsafe"), std::string::npos);
}

TEST(JinjaErrors, RaisedMessagePassesThroughUnchanged) {
  Dict globals;
  globals.set(Value("raise_exception"), Value::callable("raise_exception", [](Interpreter&, CallArgs& a) -> Value {
                throw RaisedError(a.positional.at(0).as_string());
              }));
  auto fn = [&] { Template::parse("\n\n{{ raise_exception('Roles must alternate') }}").render({}, globals); };
  EXPECT_EQ(error_of(fn), "Roles must alternate");
}

// Release builds stop these within a second; unoptimised and sanitizer builds get slack.
#ifdef NDEBUG
constexpr double kStopWithinSeconds = 1.0;
#else
constexpr double kStopWithinSeconds = 10.0;
#endif

// A hostile template must fail with a clear error, and fast.
void expect_stops_quickly(const std::string& source, const std::string& expected_message_part) {
  auto start = std::chrono::steady_clock::now();
  std::string error = render_error(source);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(error.find(expected_message_part), std::string::npos) << source << "\n-> " << error;
  EXPECT_LT(seconds, kStopWithinSeconds) << source;
}

TEST(JinjaSandbox, InfiniteRecursionStops) {
  expect_stops_quickly("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "nested deeper");
  expect_stops_quickly("{% macro f(n) %}{{ f(n) ~ f(n) }}{% endmacro %}{{ f(1) }}", "nested deeper");
}

TEST(JinjaSandbox, HugeLoopsStop) {
  expect_stops_quickly("{% for i in range(1000000000) %}x{% endfor %}", "range too big");
  expect_stops_quickly("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
                       "loop iterations");
}

TEST(JinjaSandbox, OutputExplosionStops) {
  expect_stops_quickly("{% set ns = namespace(s='x') %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
                       "sandbox limit");
  expect_stops_quickly("{{ 'x' * 1000000000 }}", "sandbox limit");
  expect_stops_quickly("{% for i in range(100000) %}{% for j in range(9) %}{{ 'y' * 1000 }}{% endfor %}{% endfor %}",
                       "output exceeds");
}

TEST(JinjaSandbox, QuadraticGrowthStops) {
  // Each step stays under the size caps, but the copying adds up without bound.
  expect_stops_quickly(
      "{% set ns = namespace(s='') %}{% for i in range(100000) %}{% for j in range(10) %}"
      "{% set ns.s = ns.s ~ 'xxxxxxxxxxxxxxxx' %}{% endfor %}{% endfor %}",
      "budget");
  expect_stops_quickly(
      "{% set ns = namespace(l=[]) %}{% for i in range(1000) %}{% set ns.l = ns.l + range(100000)|list %}{% endfor %}",
      "budget");
  expect_stops_quickly("{{ (range(100000)|list) * 100000 }}", "sandbox limit");
}

TEST(JinjaSandbox, DeeplyNestedValuesAreRefused) {
  expect_stops_quickly("{% set ns = namespace(l=[]) %}{% for i in range(100000) %}{% set ns.l = [ns.l] %}{% endfor %}",
                       "nested deeper");
  // A namespace holding itself cannot be printed, but fails cleanly.
  expect_stops_quickly("{% set ns = namespace(x=1) %}{% set ns.x = ns %}{{ ns }}", "nested too deeply");
  std::string deep_input = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_THROW(Value::from_json(nlohmann::json::parse(deep_input)), Error);
}

TEST(JinjaSandbox, LimitsAreConfigurable) {
  Limits tight;
  tight.max_loop_iterations = 10;
  EXPECT_NE(error_of([&] { render("{% for i in range(11) %}{% endfor %}", sample_context(), tight); }).find("loop"),
            std::string::npos);
  EXPECT_EQ(render("{% for i in range(10) %}{% endfor %}ok", sample_context(), tight), "ok");
  tight.max_output_bytes = 5;
  EXPECT_NE(error_of([&] { render("123456", sample_context(), tight); }).find("output"), std::string::npos);
}

TEST(JinjaSandbox, DeepNestingIsASyntaxErrorNotACrash) {
  std::string parens = "{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}";
  EXPECT_NE(parse_error(parens).find("nested too deeply"), std::string::npos);
  std::string chain = "{{ x";
  for (int i = 0; i < 5000; ++i) chain += "|e";
  EXPECT_NE(parse_error(chain + " }}").find("nested too deeply"), std::string::npos);
  std::string blocks;
  for (int i = 0; i < 5000; ++i) blocks += "{% if 1 %}";
  EXPECT_NE(parse_error(blocks).find("nested too deeply"), std::string::npos);
}

}  // namespace
}  // namespace slm::jinja::test
