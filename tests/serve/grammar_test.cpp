// The JSON-schema grammar, its matcher and the token mask.
#include <gtest/gtest.h>

#include <random>

#include "json_schema_check.h"
#include "sample/grammar_matcher.h"
#include "sample/json_schema_grammar.h"
#include "sample/token_mask.h"

namespace slm {
namespace {

using json = nlohmann::json;

bool matches(const nlohmann::ordered_json& schema, const std::string& text) {
  GrammarMatcher m(json_schema_grammar(schema));
  return m.accept(text) && m.is_complete();
}

TEST(ServeGrammar, ObjectWithRequiredAndOptionalProperties) {
  auto s = nlohmann::ordered_json::parse(R"({"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string"}},"required":["a"]})");
  EXPECT_TRUE(matches(s, R"({"a":1})"));
  EXPECT_TRUE(matches(s, R"({"a":-12,"b":"x\"y"})"));
  EXPECT_FALSE(matches(s, R"({"b":"x"})"));
  EXPECT_FALSE(matches(s, R"({"a":1,"c":2})"));
  EXPECT_FALSE(matches(s, R"({"a":01})"));
  EXPECT_FALSE(matches(s, R"({"a":1.5})"));
}

TEST(ServeGrammar, AllOptionalPropertiesAndEmptyObject) {
  auto s = nlohmann::ordered_json::parse(R"({"type":"object","properties":{"a":{"type":"boolean"},"b":{"type":"null"}}})");
  EXPECT_TRUE(matches(s, "{}"));
  EXPECT_TRUE(matches(s, R"({"b":null})"));
  EXPECT_TRUE(matches(s, R"({"a":true,"b":null})"));
  EXPECT_FALSE(matches(s, R"({,"b":null})"));
}

TEST(ServeGrammar, EnumsConstAnyOf) {
  auto s = nlohmann::ordered_json::parse(R"({"anyOf":[{"enum":["red","green",3]},{"const":{"k":[1]}},{"type":"null"}]})");
  EXPECT_TRUE(matches(s, R"("red")"));
  EXPECT_TRUE(matches(s, "3"));
  EXPECT_TRUE(matches(s, R"({"k":[1]})"));
  EXPECT_TRUE(matches(s, "null"));
  EXPECT_FALSE(matches(s, R"("blue")"));
}

TEST(ServeGrammar, ArrayBounds) {
  auto s = nlohmann::ordered_json::parse(R"({"type":"array","items":{"type":"number"},"minItems":1,"maxItems":3})");
  EXPECT_FALSE(matches(s, "[]"));
  EXPECT_TRUE(matches(s, "[1]"));
  EXPECT_TRUE(matches(s, "[1.5e3,-0.25,2]"));
  EXPECT_FALSE(matches(s, "[1,2,3,4]"));
  auto u = nlohmann::ordered_json::parse(R"({"type":"array","items":{"type":"integer"},"minItems":2})");
  EXPECT_FALSE(matches(u, "[1]"));
  EXPECT_TRUE(matches(u, "[1,2,3,4,5]"));
}

TEST(ServeGrammar, StringLengthAndUnicode) {
  auto s = nlohmann::ordered_json::parse(R"({"type":"string","minLength":2,"maxLength":3})");
  EXPECT_FALSE(matches(s, R"("a")"));
  EXPECT_TRUE(matches(s, "\"h\xC3\xA9\""));
  EXPECT_TRUE(matches(s, R"("abc")"));
  EXPECT_FALSE(matches(s, R"("abcd")"));
  EXPECT_FALSE(matches(json{{"type", "string"}}, "\"\xC3\""));
  EXPECT_TRUE(matches(json{{"type", "string"}}, R"("\u00e9\n")"));
}

TEST(ServeGrammar, RecursiveRefsAndAnyValue) {
  auto s = nlohmann::ordered_json::parse(R"({"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer"},
     "kids":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["v"]}},"$ref":"#/$defs/node"})");
  EXPECT_TRUE(matches(s, R"({"v":1,"kids":[{"v":2},{"v":3,"kids":[]}]})"));
  EXPECT_FALSE(matches(s, R"({"v":1,"kids":[{}]})"));
  EXPECT_TRUE(matches(json::object(), R"({"x":[1,{"y":null}],"z":"s"})"));
  GrammarMatcher any(json_object_grammar());
  EXPECT_TRUE(any.accept(R"({"a":{"b":[true,false,1e5]}})"));
  EXPECT_TRUE(any.is_complete());
}

TEST(ServeGrammar, RejectsUnsupportedSchemas) {
  EXPECT_ANY_THROW(json_schema_grammar(nlohmann::ordered_json::parse(R"({"$ref":"#/nowhere"})")));
  EXPECT_ANY_THROW(json_schema_grammar(nlohmann::ordered_json::parse(R"({"type":"frobnicate"})")));
  EXPECT_ANY_THROW(json_schema_grammar(nlohmann::ordered_json::parse(R"({"type":"array","maxItems":1000000})")));
  // Self-reference before any input would make the matcher expand forever.
  EXPECT_ANY_THROW(json_schema_grammar(nlohmann::ordered_json::parse(R"({"anyOf":[{"$ref":"#"},{"type":"null"}]})")));
  EXPECT_ANY_THROW(json_schema_grammar(nlohmann::ordered_json::parse(R"({"$ref":"#"})")));
}

TEST(ServeGrammar, DistanceShrinksToZeroWhenComplete) {
  auto s = nlohmann::ordered_json::parse(R"({"type":"object","properties":{"a":{"type":"string"}},"required":["a"]})");
  GrammarMatcher m(json_schema_grammar(s));
  EXPECT_EQ(GrammarMatcher::distance_to_complete(m.state()), std::string(R"({"a":""})").size());
  ASSERT_TRUE(m.accept(R"({"a":"xy)"));
  EXPECT_EQ(GrammarMatcher::distance_to_complete(m.state()), 2);
  ASSERT_TRUE(m.accept(R"("})"));
  EXPECT_TRUE(GrammarMatcher::is_closed(m.state()));
}

// Random "models": draw tokens from a toy vocabulary under the mask and check the result
// always parses and validates, including when the budget forces an early close.
TEST(ServeGrammar, RandomDecodingUnderMaskAlwaysValidates) {
  std::vector<std::string> pieces = {"{", "}", "[", "]", "\"", ":", ",", "a", "b", "name", "\"name\":", "1", "0", "-",
                                     ".", "e", "true", "false", "null", "x\"", "\\", "n", "\xC3", "\xA9", " ", "12",
                                     "\"}", "\"],", "tag", "\"tags\":[", "\"age\":", "\"kind\":\"", "cat", "dog"};
  for (int c = 0x20; c < 0x7F; ++c) pieces.push_back(std::string(1, static_cast<char>(c)));
  TokenBytes vocab(pieces);
  const int32_t eos = static_cast<int32_t>(pieces.size());
  std::vector<nlohmann::ordered_json> schemas = {
      nlohmann::ordered_json::parse(R"({"type":"object","properties":{"name":{"type":"string","maxLength":8},"age":{"type":"integer"},
        "tags":{"type":"array","items":{"type":"string"},"maxItems":3},"kind":{"enum":["cat","dog"]}},
        "required":["name","age","kind"],"additionalProperties":false})"),
      nlohmann::ordered_json::parse(R"({"type":"array","items":{"anyOf":[{"type":"number"},{"type":"boolean"},{"type":"null"}]},"minItems":2})"),
      nlohmann::ordered_json::parse(R"({"type":"object"})"),
      nlohmann::ordered_json::parse(R"({"type":"string"})"),
  };
  std::mt19937 rng(7);
  for (const auto& schema : schemas) {
    for (int run = 0; run < 30; ++run) {
      GrammarMatcher m(json_schema_grammar(schema));
      GrammarStateCache cache(m);
      std::string text;
      const int budget = 40 + run;
      bool ended = false;
      for (int step = 0; step < budget && !ended; ++step) {
        std::vector<float> logits(pieces.size() + 1);
        for (auto& l : logits) l = std::uniform_real_distribution<float>(0, 1)(rng);
        TokenMask mask = compute_token_mask(m, vocab, cache);
        const int32_t ends[1] = {eos};
        const int remaining = budget - step;
        apply_token_mask(mask, logits, ends, remaining);
        const int32_t pick = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
        ASSERT_GT(logits[pick], -1e30f);
        if (pick == eos) {
          ended = true;
          break;
        }
        ASSERT_TRUE(m.accept(vocab.bytes(pick)));
        text += vocab.bytes(pick);
        if (GrammarMatcher::is_closed(m.state())) ended = true;
      }
      ASSERT_TRUE(m.is_complete()) << schema.dump() << " -> " << text;
      json v = json::parse(text, nullptr, false);
      ASSERT_FALSE(v.is_discarded()) << schema.dump() << " -> " << text;
      EXPECT_TRUE(test::schema_accepts(json::parse(schema.dump()), v)) << schema.dump() << " -> " << text;
    }
  }
}

}  // namespace
}  // namespace slm

namespace slm {
namespace {

// The trie sweep allows exactly the tokens that a token-by-token check accepts.
TEST(ServeTokenMask, TrieSweepMatchesBruteForce) {
  std::mt19937 rng(3);
  const std::string alphabet = "ab\"{}[]:,0123456789.-etrufalsn \\\xC3\xA9";
  std::vector<std::string> pieces;
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    for (int n = 1 + rng() % 5; n > 0; --n) s += alphabet[rng() % alphabet.size()];
    pieces.push_back(s);
  }
  pieces.push_back("");  // a token with no bytes is never allowed
  TokenBytes vocab(pieces);
  auto schema = nlohmann::ordered_json::parse(
      R"({"type":"object","properties":{"a":{"type":"array","items":{"type":"number"}},"b":{"type":"string"},"c":{"type":"boolean"}}})");
  for (const std::string prefix : {"", "{", "{\"a\":[1", "{\"a\":[1.5e", "{\"b\":\"x", "{\"b\":\"x\\", "{\"c\":tr"}) {
    GrammarMatcher m(json_schema_grammar(schema));
    ASSERT_TRUE(m.accept(prefix)) << prefix;
    GrammarStateCache cache(m);
    const TokenMask mask = compute_token_mask(m, vocab, cache);
    for (size_t id = 0; id < pieces.size(); ++id) {
      GrammarMatcher copy = m;
      const bool ok = !pieces[id].empty() && copy.accept(pieces[id]);
      ASSERT_EQ(mask.allowed[id] != 0, ok) << "prefix " << prefix << " token '" << pieces[id] << "'";
      if (ok) EXPECT_EQ(mask.distance[id], GrammarMatcher::distance_to_complete(copy.state()));
    }
  }
}

}  // namespace
}  // namespace slm

namespace slm {
namespace {

bool pattern_matches(const std::string& pattern, const std::string& json_text) {
  nlohmann::ordered_json s = {{"type", "string"}, {"pattern", pattern}};
  GrammarMatcher m(json_schema_grammar(s));
  return m.accept(json_text) && m.is_complete();
}

TEST(ServeGrammar, StringPatterns) {
  EXPECT_TRUE(pattern_matches("^[A-Z]{2}-\\d{3,4}$", R"("AB-123")"));
  EXPECT_TRUE(pattern_matches("^[A-Z]{2}-\\d{3,4}$", R"("AB-1234")"));
  EXPECT_FALSE(pattern_matches("^[A-Z]{2}-\\d{3,4}$", R"("AB-12")"));
  EXPECT_FALSE(pattern_matches("^[A-Z]{2}-\\d{3,4}$", R"("ab-123")"));
  EXPECT_TRUE(pattern_matches("^(cat|dog)s?$", R"("dogs")"));
  EXPECT_FALSE(pattern_matches("^(cat|dog)s?$", R"("cow")"));
  EXPECT_TRUE(pattern_matches("^a\"b\\\\c$", R"("a\"b\\c")"));  // quote and backslash escaped in JSON
  EXPECT_TRUE(pattern_matches("^[^0-9]+$", "\"h\xC3\xA9llo\""));
  EXPECT_FALSE(pattern_matches("^[^0-9]+$", R"("h3llo")"));
  EXPECT_TRUE(pattern_matches("foo", R"("xx foo yy")"));  // unanchored: a search
  EXPECT_ANY_THROW(pattern_matches("^(?=x)$", R"("x")"));
  EXPECT_ANY_THROW(pattern_matches("^(a)\\1$", R"("aa")"));
}

TEST(ServeGrammar, StringFormats) {
  auto fmt = [](const std::string& f, const std::string& text) {
    GrammarMatcher m(json_schema_grammar(nlohmann::ordered_json{{"type", "string"}, {"format", f}}));
    return m.accept(text) && m.is_complete();
  };
  EXPECT_TRUE(fmt("date", R"("2025-07-08")"));
  EXPECT_FALSE(fmt("date", R"("2025-13-08")"));
  EXPECT_TRUE(fmt("date-time", R"("2025-07-08T10:30:00Z")"));
  EXPECT_TRUE(fmt("date-time", R"("2025-07-08T10:30:00.5+02:00")"));
  EXPECT_TRUE(fmt("uuid", R"("123e4567-e89b-12d3-a456-426614174000")"));
  EXPECT_FALSE(fmt("uuid", R"("123e4567")"));
  EXPECT_TRUE(fmt("ipv4", R"("192.168.0.1")"));
  EXPECT_FALSE(fmt("ipv4", R"("256.1.1.1")"));
  EXPECT_TRUE(fmt("email", R"("anything")"));  // formats not enforced accept any string
}

}  // namespace
}  // namespace slm

namespace slm {
namespace {

TEST(ServeGrammar, TextOrStrictToolCall) {
  auto schema = nlohmann::ordered_json::parse(R"({"type":"object","properties":{"x":{"type":"integer"}},"required":["x"]})");
  auto g = text_or_wrapped_json_grammar("<tc>", {{"{\"name\":\"f\",\"arguments\":", schema, "}</tc>"}});
  auto matches = [&](const std::string& text) {
    GrammarMatcher m(g);
    return m.accept(text) && m.is_complete();
  };
  EXPECT_TRUE(matches(""));
  EXPECT_TRUE(matches("Just text, even <t and <tx."));
  EXPECT_TRUE(matches("Calling.<tc>{\"name\":\"f\",\"arguments\":{\"x\":3}}</tc>"));
  EXPECT_FALSE(matches("<tc>{\"name\":\"f\",\"arguments\":{\"y\":3}}</tc>"));  // schema enforced
  EXPECT_FALSE(matches("<tc>{\"name\":\"g\""));                                // unknown tool
  EXPECT_FALSE(matches("<<tc>oops"));                                         // overlapping opener found
  EXPECT_FALSE(matches("<tc>{\"name\":\"f\",\"arguments\":{\"x\":3}}</tc> more"));
}

}  // namespace
}  // namespace slm
