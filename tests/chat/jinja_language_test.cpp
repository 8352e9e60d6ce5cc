// The Jinja language as chat templates use it. Each expectation is what Python jinja2 3.1,
// configured like transformers' chat-template environment (trim_blocks, lstrip_blocks,
// loopcontrols, immutable sandbox, tojson = json.dumps), renders for the same input.
#include <gtest/gtest.h>

#include "jinja_test_support.h"

namespace slm::jinja::test {
namespace {

TEST(JinjaWhitespace, TrimBlocksRemovesNewlineAfterBlockTag) {
  EXPECT_EQ(render(R"J({% if true %}
yes
{% endif %}
after)J"),
            "yes\nafter");
}

TEST(JinjaWhitespace, LstripBlocksRemovesIndentBeforeBlockTag) {
  EXPECT_EQ(render(R"J(  {% if true %}
    kept indent
  {% endif %}
end)J"),
            "    kept indent\nend");
  EXPECT_EQ(render(R"J(	{% for x in xs %}
	{{ x }}
	{% endfor %}
)J"),
            "\t3\n\t1\n\t2\n");
}

TEST(JinjaWhitespace, LstripDoesNotApplyToExpressions) {
  EXPECT_EQ(render(R"J(  {{ 'a' }}
  {{ 'b' }})J"),
            "  a\n  b");
}

TEST(JinjaWhitespace, MinusMarkersStripAllWhitespace) {
  EXPECT_EQ(render(R"J(a   
  {%- if true -%}  
  b  
  {%- endif -%}

  c)J"),
            "abc");
  EXPECT_EQ(render(R"J({{- ' x ' -}}   
   {{- 'y' }}   {{ 'z' -}}   !)J"),
            " x y   z!");
}

TEST(JinjaWhitespace, PlusMarkersDisableLstripAndTrim) {
  EXPECT_EQ(render(R"J(a
  {%+ if true %}x{% endif %}
  {% if true +%}
y
{% endif %})J"),
            "a\n  x\ny\n");
}

TEST(JinjaWhitespace, CommentsFollowBlockRules) {
  EXPECT_EQ(render(R"J(line1
    {# a comment #}
line2
  {#- c2 -#}   
line3)J"),
            "line1\nline2line3");
}

TEST(JinjaWhitespace, SingleTrailingNewlineIsDropped) {
  EXPECT_EQ(render(R"J(text
)J"),
            "text");
  EXPECT_EQ(render(R"J(text

)J"),
            "text\n");
}

TEST(JinjaWhitespace, RawBlockIsNotParsed) {
  EXPECT_EQ(render(R"J({% raw %}{{ not rendered }} {% if %}{% endraw %}!)J"),
            "{{ not rendered }} {% if %}!");
}

TEST(JinjaWhitespace, ChatTemplateStyleIndentation) {
  EXPECT_EQ(render(R"J({%- for m in messages %}
    {%- if m.role == 'user' %}
        {{- '<u>' + m.content + '</u>\n' }}
    {%- else %}
        {{- '<a>' + m.content + '</a>\n' }}
    {%- endif %}
{%- endfor %})J"),
            "<u>Hi 'there' \"x\"</u>\n<a>ok</a>\n");
}

TEST(JinjaLoops, LoopVariables) {
  EXPECT_EQ(render(R"J({% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{{ loop.revindex0 }}|{% endfor %})J"),
            "10TrueFalse332|21FalseFalse321|32FalseTrue310|");
}

TEST(JinjaLoops, PrevNextItemAndCycle) {
  EXPECT_EQ(render(R"J({% for x in xs %}{{ loop.previtem }}-{{ loop.nextitem }}-{{ loop.cycle('a', 'b') }}-{{ loop.previtem is defined }};{% endfor %})J"),
            "-1-a-False;3-2-b-True;1--a-True;");
}

TEST(JinjaLoops, ElseRunsForEmptyIterable) {
  EXPECT_EQ(render(R"J({% for x in e %}no{% else %}empty{% endfor %})J"),
            "empty");
  EXPECT_EQ(render(R"J({% for x in xs %}{{ x }}{% else %}never{% endfor %})J"),
            "312");
}

TEST(JinjaLoops, BreakAndContinue) {
  EXPECT_EQ(render(R"J({% for x in [1, 2, 3, 4, 5] %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %})J"),
            "13");
}

TEST(JinjaLoops, InlineFilterCondition) {
  EXPECT_EQ(render(R"J({% for x in xs if x > 1 %}{{ x }}/{{ loop.length }} {% endfor %})J"),
            "3/2 2/2 ");
}

TEST(JinjaLoops, UnpackingPairs) {
  EXPECT_EQ(render(R"J({% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %})J"),
            "b=1;a=2;c={'z': [1, {'q': 'é'}]};");
  EXPECT_EQ(render(R"J({% for k in d %}{{ k }}{% endfor %})J"),
            "bac");
  EXPECT_EQ(render(R"J({% for a, b in [(1, 2), (3, 4)] %}{{ a + b }}{% endfor %})J"),
            "37");
}

TEST(JinjaLoops, ReverseSliceIteration) {
  EXPECT_EQ(render(R"J({% for m in messages[::-1] %}{{ m.role }} {% endfor %})J"),
            "assistant user ");
}

TEST(JinjaLoops, NestedLoopsHaveTheirOwnLoopVariable) {
  EXPECT_EQ(render(R"J({% for a in xs %}{% for b in [1, 2] %}{{ loop.index }}{% endfor %}{{ loop.index }};{% endfor %})J"),
            "121;122;123;");
}

TEST(JinjaLoops, AssignmentsInsideLoopDoNotLeak) {
  EXPECT_EQ(render(R"J({% set x = 1 %}{% for i in xs %}{% set x = i %}{% endfor %}{{ x }})J"),
            "1");
  EXPECT_EQ(render(R"J({% for i in range(3) %}{% if i == 0 %}{% set y = 5 %}{% endif %}[{{ y }}]{% endfor %})J"),
            "[5][][]");
}

TEST(JinjaLoops, LoopOverStringAndRange) {
  EXPECT_EQ(render(R"J({% for c in 'abc' %}{{ c }}.{% endfor %} {{ range(5) | list }} {{ range(1, 10, 3) | list }} {{ range(5, 0, -2) | list }})J"),
            "a.b.c. [0, 1, 2, 3, 4] [1, 4, 7] [5, 3, 1]");
}

TEST(JinjaLoops, UndefinedIteratesAsEmpty) {
  EXPECT_EQ(render(R"J([{% for x in missing %}x{% endfor %}])J"),
            "[]");
}

TEST(JinjaLoops, LoopChangedAndJoiner) {
  EXPECT_EQ(render(R"J({% for x in [1, 1, 2, 2, 1] %}{% if loop.changed(x) %}[{{ x }}]{% endif %}{% endfor %} {% set j = joiner(" | ") %}{% for x in xs %}{{ j() }}{{ x }}{% endfor %})J"),
            "[1][2][1] 3 | 1 | 2");
}

TEST(JinjaMacros, DefaultsAndKeywordArguments) {
  EXPECT_EQ(render(R"J({% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet('Bob') }} {{ greet('Al', greeting='Hi') }} {{ greet('X', 'Yo') }})J"),
            "Hello, Bob! Hi, Al! Yo, X!");
}

TEST(JinjaMacros, MissingArgumentIsUndefined) {
  EXPECT_EQ(render(R"J({% macro m(a, b) %}[{{ a }}][{{ b }}][{{ b is defined }}]{% endmacro %}{{ m(1) }})J"),
            "[1][][False]");
}

TEST(JinjaMacros, Recursion) {
  EXPECT_EQ(render(R"J({% macro countdown(n) %}{% if n > 0 %}{{ n }}{{ countdown(n - 1) }}{% endif %}{% endmacro %}{{ countdown(5) }})J"),
            "54321");
}

TEST(JinjaMacros, CallerBlock) {
  EXPECT_EQ(render(R"J({% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}inner{% endcall %})J"),
            "<b>inner</b>");
}

TEST(JinjaMacros, VarargsAndKwargs) {
  EXPECT_EQ(render(R"J({% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k=4) }})J"),
            "1(2, 3){'k': 4}");
}

TEST(JinjaMacros, MacroSeesTemplateVariablesAtCallTime) {
  EXPECT_EQ(render(R"J({% set x = 5 %}{% macro show() %}{{ x }}{% endmacro %}{% set x = 6 %}{{ show() }})J"),
            "6");
}

TEST(JinjaMacros, RenderContentMacroLikeQwen3VL) {
  EXPECT_EQ(render(R"J({%- macro render_content(content) -%}
    {%- if content is string -%}
        {{- content -}}
    {%- elif content is iterable and content is not mapping -%}
        {%- for item in content -%}
            {%- if 'text' in item -%}{{- item.text -}}{%- elif item.type == 'image' -%}<img>{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro -%}
{{ render_content('abc') }}|{{ render_content([{'text': 'x'}, {'type': 'image'}, {'text': 'y'}]) }}|{{ render_content(none) }})J"),
            "abc|x<img>y|");
}

TEST(JinjaAssignment, NamespaceCarriesStateOutOfLoops) {
  EXPECT_EQ(render(R"J({% set ns = namespace(count=0, seen=false) %}{% for x in xs %}{% set ns.count = ns.count + x %}{% if x == 1 %}{% set ns.seen = true %}{% endif %}{% endfor %}{{ ns.count }} {{ ns.seen }})J"),
            "6 True");
}

TEST(JinjaAssignment, SetBlockCapturesOutput) {
  EXPECT_EQ(render(R"J({% set y %}block {{ n }}{% endset %}[{{ y }}] {% set z | upper %}abc{% endset %}{{ z }})J"),
            "[block 7] ABC");
}

TEST(JinjaAssignment, TupleAssignment) {
  EXPECT_EQ(render(R"J({% set a, b = 1, 2 %}{{ a }}{{ b }} {% set t = (1, 2) %}{{ t }})J"),
            "12 (1, 2)");
}

TEST(JinjaAssignment, ReassignLoopVariable) {
  EXPECT_EQ(render(R"J({% for tc in [{'function': {'name': 'f'}}, {'name': 'g'}] %}{% if tc.function %}{% set tc = tc.function %}{% endif %}{{ tc.name }}{% endfor %})J"),
            "fg");
}

TEST(JinjaAssignment, WithAndFilterBlocks) {
  EXPECT_EQ(render(R"J({% with q = 5 %}{{ q }}{% endwith %}[{{ q }}] {% filter upper %}hello {{ n }}{% endfilter %})J"),
            "5[] HELLO 7");
}

TEST(JinjaAssignment, SetInsideIfIsVisibleAfterwards) {
  EXPECT_EQ(render(R"J({% if xs %}{% set inside = 5 %}{% endif %}{{ inside }})J"),
            "5");
}

TEST(JinjaFilters, StringFilters) {
  EXPECT_EQ(render(R"J({{ s | trim }}|{{ 'xxhixx' | trim('x') }}|{{ 'abc' | upper }}|{{ 'ABC' | lower }}|{{ 'hello world' | title }}|{{ 'hELLO' | capitalize }}|{{ 'a-b-c' | replace('-', '+') }}|{{ 'a-b-c' | replace('-', '', 1) }}|{{ 'Hello World Foo' | wordcount }}|{{ 'x' | center(5) }}|)J"),
            "Hello World|hi|ABC|abc|Hello World|Hello|a+b+c|ab-c|3|  x  |");
}

TEST(JinjaFilters, SequenceFilters) {
  EXPECT_EQ(render(R"J({{ xs | length }} {{ xs | count }} {{ xs | first }} {{ xs | last }} {{ xs | join(',') }} {{ xs | sort | list }} {{ xs | sort(reverse=true) }} {{ xs | reverse | list }} {{ [1, 2, 1] | unique | list }} {{ xs | sum }} {{ xs | max }} {{ xs | min }} {{ xs | batch(2) | list }})J"),
            "3 3 3 2 3,1,2 [1, 2, 3] [3, 2, 1] [2, 1, 3] [1, 2] 6 3 1 [[3, 1], [2]]");
}

TEST(JinjaFilters, SortAndUniqueIgnoreCaseByDefault) {
  EXPECT_EQ(render(R"J({{ ['b', 'A', 'c'] | sort }} {{ ['b', 'A', 'c'] | sort(case_sensitive=true) }} {{ ['a', 'A', 'b'] | unique | list }})J"),
            "['A', 'b', 'c'] ['A', 'b', 'c'] ['a', 'b']");
}

TEST(JinjaFilters, MappingFilters) {
  EXPECT_EQ(render(R"J({{ d | items | list }} {{ d | dictsort }} {{ d | length }})J"),
            "[('b', 1), ('a', 2), ('c', {'z': [1, {'q': 'é'}]})] [('a', 2), ('b', 1), ('c', {'z': [1, {'q': 'é'}]})] 3");
}

TEST(JinjaFilters, SelectRejectMapAttr) {
  EXPECT_EQ(render(R"J({{ messages | selectattr('role', 'equalto', 'user') | list | length }} {{ messages | map(attribute='role') | join(',') }} {{ messages | rejectattr('role', 'eq', 'user') | map(attribute='role') | list }} {{ messages | selectattr('tool_calls') | list | length }})J"),
            "1 user,assistant ['assistant'] 1");
  EXPECT_EQ(render(R"J({{ xs | map('string') | join('-') }} {{ [1, 0, 2, none] | select | list }} {{ xs | reject('odd') | list }} {{ xs | select('gt', 1) | list }})J"),
            "3-1-2 [1, 2] [2] [3, 2]");
}

TEST(JinjaFilters, DefaultFilter) {
  EXPECT_EQ(render(R"J({{ missing | default('dflt') }}|{{ '' | default('e', true) }}|{{ '' | default('e') }}|{{ none | d('n') }}|{{ missing | d }}|)J"),
            "dflt|e||None||");
}

TEST(JinjaFilters, NumberFilters) {
  EXPECT_EQ(render(R"J({{ -3 | abs }} {{ 3.7 | int }} {{ '42' | int }} {{ 'x' | int(7) }} {{ '3.5' | float }} {{ 2.567 | round(2) }} {{ 2.5 | round }} {{ 3.5 | round }} {{ 2.1 | round(method='ceil') }} {{ 5 | float }})J"),
            "3 3 42 7 3.5 2.57 2.0 4.0 3.0 5.0");
}

TEST(JinjaFilters, StringAndListConversions) {
  EXPECT_EQ(render(R"J({{ 'abc' | list }} {{ 5 | string + 'x' }} {{ xs | string }} {{ none | string }} {{ missing | string }}| {{ '<a>&' | e }} {{ '<b>' | safe }})J"),
            "['a', 'b', 'c'] 5x [3, 1, 2] None | &lt;a&gt;&amp; <b>");
}

TEST(JinjaFilters, IndentFilter) {
  EXPECT_EQ(render(R"J({{ 'a\n  b\n\nc' | indent(2) }}|{{ 'a\nb' | indent(2, true) }})J"),
            "a\n    b\n\n  c|  a\n  b");
}

TEST(JinjaFilters, FormatFilter) {
  EXPECT_EQ(render(R"J({{ '%s-%d' | format('a', 3) }} {{ '%.2f' | format(3.14159) }})J"),
            "a-3 3.14");
}

TEST(JinjaFilters, TitleFilterStartsWordsOnlyAfterSpacesAndBrackets) {
  EXPECT_EQ(render(R"J({{ "{'k': 1}" | title }} {{ "hello wORLD-foo (bar) x'y d.e" | title }} {{ "they're bill's" | title }} {{ "they're bill's".title() }})J"),
            "{'k': 1} Hello World-Foo (Bar) X'y D.e They're Bill's They'Re Bill'S");
}

TEST(JinjaFilters, IndentFilterEdgeCases) {
  EXPECT_EQ(render(R"J([{{ 'a\n\nb\n' | indent(3, blank=true) }}|{{ '' | indent }}|{{ '\n' | indent(first=true) }}|{{ 'x\r\ny' | indent('--') }}|{{ 'a\n\n' | indent(1, true, true) }}])J"),
            "[a\n   \n   b\n   ||    \n|x\n--y| a\n \n ]");
}

TEST(JinjaFilters, AttrFilterDoesNotReadDictItems) {
  EXPECT_EQ(render(R"J([{{ d | attr("a") }}][{{ (d | attr("items"))() | list }}][{{ namespace(z=3) | attr("z") }}])J"),
            "[][[('b', 1), ('a', 2), ('c', {'z': [1, {'q': 'é'}]})]][3]");
}

TEST(JinjaFilters, GroupBy) {
  EXPECT_EQ(render(R"J({% for g in [{"r": "b", "v": 1}, {"r": "a", "v": 2}, {"r": "B", "v": 3}] | groupby("r") %}{{ g.grouper }}:{{ g.list | map(attribute="v") | list }}/{{ g[0] }};{% endfor %})J"),
            "a:[2]/a;b:[1, 3]/b;");
  EXPECT_EQ(render(R"J({% for key, items in messages | groupby("role") %}{{ key }}={{ items | length }} {% endfor %}{{ [{"r": "b", "v": 1}, {"v": 2}] | groupby("r", default="zz") | map(attribute="grouper") | list }})J"),
            "assistant=1 user=1 ['b', 'zz']");
}

TEST(JinjaTests, TypeTests) {
  EXPECT_EQ(render(R"J({{ x is defined }} {{ d is mapping }} {{ xs is mapping }} {{ xs is iterable }} {{ xs is sequence }} {{ 's' is string }} {{ 1 is number }} {{ 1 is integer }} {{ 1.0 is float }} {{ 1.0 is integer }} {{ none is none }} {{ true is boolean }} {{ 1 is boolean }} {{ missing is iterable }})J"),
            "False True False True True True True True True False True True False True");
}

TEST(JinjaTests, ValueTests) {
  EXPECT_EQ(render(R"J({{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 5 is divisibleby(2) }} {{ 2 is in xs }} {{ 1 is eq 1 }} {{ 1 is equalto 1 }} {{ 1 is ne 2 }} {{ 1 is lt 2 }} {{ 3 is gt 2 }} {{ 3 is ge 3 }} {{ 2 is le 1 }} {{ 'abc' is lower }} {{ 'ABC' is upper }})J"),
            "True True True False True True True True True True True False True True");
}

TEST(JinjaTests, TrueFalseAreIdentityTests) {
  EXPECT_EQ(render(R"J({{ true is true }} {{ 1 is true }} {{ false is false }} {{ 0 is false }} {{ none is false }})J"),
            "True False True False False");
}

TEST(JinjaTests, NegatedTestsBindTighterThanNot) {
  EXPECT_EQ(render(R"J({{ x is not defined }} {{ not x is defined }} {{ not none is none }} {{ xs is not none and xs | length > 2 }})J"),
            "True True False True");
}

TEST(JinjaExpressions, ArithmeticAndPrinting) {
  EXPECT_EQ(render(R"J({{ 1/2 }} {{ 7//2 }} {{ -7//2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2.0 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 10/5 }} {{ 3 * 1.0 }} {{ 7.5 // 2 }} {{ -7.5 % 2 }} {{ 1 / 3 }})J"),
            "0.5 3 -4 1 2 2.0 1024 0.5 2.0 3.0 3.0 0.5 0.3333333333333333");
}

TEST(JinjaExpressions, FloatRepr) {
  EXPECT_EQ(render(R"J({{ 1e20 }} {{ 1.5e-7 }} {{ 0.1 + 0.2 }} {{ 1.0 }} {{ 100000000000000000.0 }} {{ 0.0001 }} {{ 0.00001 }} {{ -0.0 }} {{ 123456789.125 }})J"),
            "1e+20 1.5e-07 0.30000000000000004 1.0 1e+17 0.0001 1e-05 -0.0 123456789.125");
}

TEST(JinjaExpressions, OperatorPrecedence) {
  EXPECT_EQ(render(R"J({{ 1 + 2 * 3 - 4 }} {{ (1 + 2) * 3 }} {{ 10 // 3 * 3 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ 1 - -1 }} {{ 'a' + 'b' ~ 'c' }} {{ not 1 == 2 }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 5 }})J"),
            "3 9 9 64 4 2 abc True True False");
}

TEST(JinjaExpressions, FiltersBindTighterThanOperators) {
  EXPECT_EQ(render(R"J({{ '[' + s | trim + ']' }} {{ xs | length == 3 }} {{ not xs | length == 1 }} {{ xs | first | string + '!' }})J"),
            "[Hello World] True True 3!");
}

TEST(JinjaExpressions, Concatenation) {
  EXPECT_EQ(render(R"J({{ 'a' ~ 1 ~ none ~ true ~ missing }} {{ 'x' ~ 1.0 ~ [1.0, 2] }} {{ 'ab' * 3 }} {{ [1] * 3 }} {{ xs + [4] }})J"),
            "a1NoneTrue x1.0[1.0, 2] ababab [1, 1, 1] [3, 1, 2, 4]");
}

TEST(JinjaExpressions, BooleanOperatorsReturnOperands) {
  EXPECT_EQ(render(R"J({{ t and 'yes' or 'no' }} {{ none or 'fallback' }} {{ 0 and 1 }} {{ '' or [] }})J"),
            "yes fallback 0 []");
}

TEST(JinjaExpressions, Membership) {
  EXPECT_EQ(render(R"J({{ 'a' in 'abc' }} {{ 'z' not in 'abc' }} {{ 1 in xs }} {{ 'a' in d }} {{ 'zz' in d }} {{ 'tool_calls' in messages[1] }})J"),
            "True True True True False True");
}

TEST(JinjaExpressions, Comparisons) {
  EXPECT_EQ(render(R"J({{ 1 == 1.0 }} {{ true == 1 }} {{ '1' == 1 }} {{ none == none }} {{ [1, 2] == [1, 2] }} {{ {'a': 1} == {'a': 1} }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ 2 >= 2.0 }})J"),
            "True True False True True True True True True");
}

TEST(JinjaExpressions, ConditionalExpression) {
  EXPECT_EQ(render(R"J({{ 1 if true else 2 }} {{ 1 if false else 2 }} [{{ 1 if false }}] {{ 'yes' if xs }} {{ 'a' if false else 'b' if false else 'c' }})J"),
            "1 2 [] yes c");
}

TEST(JinjaExpressions, Literals) {
  EXPECT_EQ(render(R"J({{ [1, [2, (3, 'x')], {'k': none}] }} {{ (1,) }} {{ () }} {{ {} }} {{ True }} {{ False }} {{ None }} {{ 1_000 }})J"),
            "[1, [2, (3, 'x')], {'k': None}] (1,) () {} True False None 1000");
}

TEST(JinjaStrings, EscapesInLiterals) {
  EXPECT_EQ(render(R"J({{ 'a\tb\\n' }}|{{ 'it\'s' }}|{{ "say \"hi\"" }}|{{ "multi
line" }}|{{ '\u00e9\x41' }})J"),
            "a\tb\\n|it's|say \"hi\"|multi\nline|éA");
}

TEST(JinjaStrings, StringMethods) {
  EXPECT_EQ(render(R"J({{ s.strip() }}|{{ s.lstrip() }}|{{ s.rstrip() }}|{{ s.split() }}|{{ 'a,b,,c'.split(',') }}|{{ 'a b c'.split(' ', 1) }}|{{ 'a,b,c'.rsplit(',', 1) }}|{{ s.upper() }}|{{ s.lower() }}|{{ s.title() }})J"),
            "Hello World|Hello World  |  Hello World|['Hello', 'World']|['a', 'b', '', 'c']|['a', 'b c']|['a,b', 'c']|  HELLO WORLD  |  hello world  |  Hello World  ");
  EXPECT_EQ(render(R"J({{ 'hello'.startswith('he') }} {{ 'hello'.endswith(('x', 'lo')) }} {{ 'hello'.replace('l', 'L') }} {{ 'hello'.replace('l', 'L', 1) }} {{ 'hello'.find('l') }} {{ 'hello'.find('z') }} {{ 'hello'.count('l') }} {{ 'hello'.capitalize() }} {{ '-'.join(['a', 'b']) }})J"),
            "True True heLLo heLlo 2 -1 2 Hello a-b");
  EXPECT_EQ(render(R"J({{ '\n\nabc\n'.lstrip('\n') }}|{{ 'abc\n\n'.rstrip() }}|{{ '<think>x</think>y'.split('</think>')[-1] }}|{{ 'l1\nl2\n'.splitlines() }})J"),
            "abc\n|abc|y|['l1', 'l2']");
}

TEST(JinjaStrings, FormatAndPercent) {
  EXPECT_EQ(render(R"J({{ '{} and {}'.format(1, 'b') }} {{ '{0}{name}'.format(1, name='n') }} {{ '%s-%d' % ('a', 3) }} {{ '%.2f' % 3.14159 }} {{ '%05d|%-4s|' % (42, 'ab') }} {{ '%(a)s' % {'a': 1} }} {{ '%r' % 'x' }} {{ '100%%' % () }})J"),
            "1 and b 1n a-3 3.14 00042|ab  | 1 'x' 100%");
}

TEST(JinjaStrings, Slicing) {
  EXPECT_EQ(render(R"J({{ xs[0] }} {{ xs[-1] }} {{ xs[1:] }} {{ xs[::-1] }} {{ xs[:2] }} {{ xs[:] }} {{ 'hello'[1:3] }} {{ 'abcdef'[-3:] }} {{ 'abcdef'[::2] }} {{ xs[-10:10] }} {{ xs[5:] }} [{{ xs[10] }}])J"),
            "3 2 [1, 2] [2, 1, 3] [3, 1] [3, 1, 2] el def ace [3, 1, 2] [] []");
}

TEST(JinjaStrings, UnicodeIsCountedInCodePoints) {
  EXPECT_EQ(render(R"J({{ u8 | length }} {{ u8[1] }} {{ 'héllo'[::-1] }} {{ u8 | upper }} {{ u8 | title }})J"),
            "11 é olléh HÉLLO WÖRLD Héllo Wörld");
}

TEST(JinjaValues, UndefinedPrintsEmptyAndIsFalsy) {
  EXPECT_EQ(render(R"J([{{ missing }}][{{ d.missing }}][{{ missing | length }}][{{ 'yes' if missing else 'no' }}][{{ missing is defined }}][{{ d.nope is defined }}])J"),
            "[][][0][no][False][False]");
}

TEST(JinjaValues, AttributeAndItemAccessFallBack) {
  EXPECT_EQ(render(R"J({{ d.a }} {{ d['b'] }} {{ d.c.z[1].q }} {{ messages[0].role }} {{ messages[0]['role'] }} {{ messages[1].tool_calls[0]['function'].name }})J"),
            "2 1 é user user f");
}

TEST(JinjaValues, DictMethods) {
  EXPECT_EQ(render(R"J({{ d.get('a') }} {{ d.get('zz', 'def') }} {{ d.get('zz') }} {{ d.keys() | list }} {{ d.values() | list }} {{ d.items() | list }})J"),
            "2 def None ['b', 'a', 'c'] [1, 2, {'z': [1, {'q': 'é'}]}] [('b', 1), ('a', 2), ('c', {'z': [1, {'q': 'é'}]})]");
}

TEST(JinjaValues, PythonReprOfContainers) {
  EXPECT_EQ(render(R"J({{ xs }} {{ d }} {{ xs | string }} {{ d | string }} {{ none }} {{ true }} {{ false }} {{ (1, 2) }} {{ [] }} {{ {} }})J"),
            "[3, 1, 2] {'b': 1, 'a': 2, 'c': {'z': [1, {'q': 'é'}]}} [3, 1, 2] {'b': 1, 'a': 2, 'c': {'z': [1, {'q': 'é'}]}} None True False (1, 2) [] {}");
  EXPECT_EQ(render(R"J({{ ['it\'s', 'say "hi"', 'both \' "'] }} {{ {'a\nb': '\t\\'} | string }} {{ ['\u00a0x', '\x00'] }} {{ [1.0, -2.5e-10] }})J"),
            "[\"it's\", 'say \"hi\"', 'both \\' \"'] {'a\\nb': '\\t\\\\'} ['\\xa0x', '\\x00'] [1.0, -2.5e-10]");
}

TEST(JinjaValues, ToJsonVariants) {
  EXPECT_EQ(render(R"J({{ d | tojson }})J"),
            "{\"b\": 1, \"a\": 2, \"c\": {\"z\": [1, {\"q\": \"é\"}]}}");
  EXPECT_EQ(render(R"J({{ d | tojson(indent=2) }})J"),
            "{\n  \"b\": 1,\n  \"a\": 2,\n  \"c\": {\n    \"z\": [\n      1,\n      {\n        \"q\": \"é\"\n      }\n    ]\n  }\n}");
  EXPECT_EQ(render(R"J({{ d | tojson(sort_keys=true) }})J"),
            "{\"a\": 2, \"b\": 1, \"c\": {\"z\": [1, {\"q\": \"é\"}]}}");
  EXPECT_EQ(render(R"J({{ xs | tojson(indent=4) }}|{{ e | tojson(indent=4) }}|{{ {'a': {}, 'b': []} | tojson(indent=2) }})J"),
            "[\n    3,\n    1,\n    2\n]|[]|{\n  \"a\": {},\n  \"b\": []\n}");
  EXPECT_EQ(render(R"J({{ 'é<>&\'"' | tojson }} {{ d | tojson(separators=(',', ':')) }} {{ f | tojson }} {{ 1e100 | tojson }} {{ none | tojson }} {{ true | tojson }})J"),
            "\"é<>&'\\\"\" {\"b\":1,\"a\":2,\"c\":{\"z\":[1,{\"q\":\"é\"}]}} 2.5 1e+100 null true");
  EXPECT_EQ(render(R"J({{ '\u4f60\u597d' | tojson(ensure_ascii=true) }} {{ 'x\ny\t\u0001' | tojson }} {{ messages[1].tool_calls[0].function.arguments | tojson }})J"),
            "\"\\u4f60\\u597d\" \"x\\ny\\t\\u0001\" {\"a\": 1, \"b\": [1, 2.5, null, true]}");
  EXPECT_EQ(render(R"J({{ {'b': 1, 'a': [{'c': 2}]} | tojson(sort_keys=true, indent=1) }})J"),
            "{\n \"a\": [\n  {\n   \"c\": 2\n  }\n ],\n \"b\": 1\n}");
}

TEST(JinjaMarkup, SafeStringsEscapeWhatTheyAreJoinedWith) {
  EXPECT_EQ(render(R"J({{ '<a>'|safe + '<b>' }} {{ '<b>' + '<a>'|safe }} {{ ('<a>'|safe + '<b>') ~ '<c>' }} {{ ('&'|safe) * 2 }} {{ '%s<br>'|safe % '<i>' }})J"),
            "<a>&lt;b&gt; &lt;b&gt;<a> <a>&lt;b&gt;<c> && &lt;i&gt;<br>");
}

TEST(JinjaMarkup, EscapeFilters) {
  EXPECT_EQ(render(R"J({{ '<x>'|e }} {{ '<x>'|e|e }} {{ '<x>'|forceescape|forceescape }} {{ ('<x>'|safe) is escaped }} {{ '<x>' is escaped }} {{ ['<'|safe] }} {{ ('<'|safe) | tojson }})J"),
            "&lt;x&gt; &lt;x&gt; &amp;lt;x&amp;gt; True False [Markup('<')] \"<\"");
}

TEST(JinjaScoping, LoopIterationsStartFromTheOuterValue) {
  EXPECT_EQ(render(R"J({% set x = 1 %}{% for i in xs %}{% set x = x + 1 %}{{ x }}{% endfor %}{{ x }})J"),
            "2221");
  EXPECT_EQ(render(R"J({% set i = 'outer' %}{% for i in xs %}{% endfor %}{{ i }})J"),
            "outer");
}

TEST(JinjaScoping, MacroLocalsStayInside) {
  EXPECT_EQ(render(R"J({% macro m() %}{% set inner = 5 %}{{ inner }}{% endmacro %}{{ m() }}[{{ inner }}])J"),
            "5[]");
  EXPECT_EQ(render(R"J({% set x = 'g' %}{% macro m(x='d') %}{{ x }}{% endmacro %}{{ m() }}{{ m('p') }}{{ x }})J"),
            "dpg");
}

TEST(JinjaScoping, MacrosCallMacrosDefinedLater) {
  EXPECT_EQ(render(R"J({% macro a() %}A{{ b() }}{% endmacro %}{% macro b() %}B{% endmacro %}{{ a() }})J"),
            "AB");
  EXPECT_EQ(render(R"J({% macro default_uses_other(a, b=a * 2) %}{{ a }},{{ b }}{% endmacro %}{{ default_uses_other(3) }})J"),
            "3,6");
}

TEST(JinjaScoping, BreakOnlyLeavesTheInnerLoop) {
  EXPECT_EQ(render(R"J({% for x in xs %}{% for y in xs %}{% if y == 1 %}{% break %}{% endif %}{{ x }}{{ y }} {% endfor %}{% endfor %})J"),
            "33 13 23 ");
}

}  // namespace
}  // namespace slm::jinja::test
