// Components that the fixture tokenizers do not exercise, checked piece by piece.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "slm/error.h"
#include "text/decoders.h"
#include "text/normalizers.h"
#include "text/pre_tokenizers.h"
#include "text/regex.h"
#include "text/unicode.h"

namespace slm {
namespace {

using nlohmann::json;

std::vector<std::string> pre(const std::string& spec, const std::string& text, bool at_start = true) {
  auto p = make_pre_tokenizer(json::parse(spec), "test");
  std::vector<PreToken> pieces{PreToken{text, at_start}};
  p->pre_tokenize(pieces);
  std::vector<std::string> out;
  for (auto& x : pieces) out.push_back(x.text);
  return out;
}

std::string norm(const std::string& spec, std::string text) {
  make_normalizer(json::parse(spec), "test")->normalize(text);
  return text;
}

std::string dec(const std::string& spec, std::vector<std::string> tokens) {
  make_decoder(json::parse(spec), "test")->decode_chain(tokens);
  std::string out;
  for (auto& t : tokens) out += t;
  return out;
}

using V = std::vector<std::string>;

TEST(TokComponents, MetaspacePreTokenizer) {
  const std::string always = R"({"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true})";
  EXPECT_EQ(pre(always, "Hello world"), (V{"▁Hello", "▁world"}));
  EXPECT_EQ(pre(always, "Hello  world", false), (V{"▁Hello", "▁", "▁world"}));
  const std::string first = R"({"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":false})";
  EXPECT_EQ(pre(first, "Hi there", true), (V{"▁Hi▁there"}));
  EXPECT_EQ(pre(first, "Hi there", false), (V{"Hi▁there"}));
  const std::string never = R"({"type":"Metaspace","replacement":"▁","prepend_scheme":"never","split":true})";
  EXPECT_EQ(pre(never, "a b"), (V{"a", "▁b"}));
  // Legacy form: add_prefix_space instead of prepend_scheme.
  EXPECT_EQ(pre(R"({"type":"Metaspace","replacement":"▁","add_prefix_space":true})", "x"), (V{"▁x"}));
}

TEST(TokComponents, DigitsAndWhitespace) {
  EXPECT_EQ(pre(R"({"type":"Digits","individual_digits":true})", "a123b"), (V{"a", "1", "2", "3", "b"}));
  EXPECT_EQ(pre(R"({"type":"Digits","individual_digits":false})", "a123b45"), (V{"a", "123", "b", "45"}));
  EXPECT_EQ(pre(R"({"type":"Digits","individual_digits":false})", "x٣٤²Ⅻy"), (V{"x", "٣٤²Ⅻ", "y"}));  // all of N
  EXPECT_EQ(pre(R"({"type":"Whitespace"})", "naïve café_1 e\u0301!?"), (V{"naïve", "café_1", "e\u0301", "!?"}));
  EXPECT_EQ(pre(R"({"type":"WhitespaceSplit"})", " a  b\tc "), (V{"a", "b", "c"}));
  EXPECT_EQ(pre(R"({"type":"Whitespace"})", "Hey, you!"), (V{"Hey", ",", "you", "!"}));
}

TEST(TokComponents, ByteLevelPreTokenizer) {
  EXPECT_EQ(pre(R"({"type":"ByteLevel","add_prefix_space":true,"use_regex":true})", "Hello world"),
            (V{"ĠHello", "Ġworld"}));
  EXPECT_EQ(pre(R"({"type":"ByteLevel","add_prefix_space":false,"use_regex":true})", "it's 42\n"),
            (V{"it", "'s", "Ġ42", "Ċ"}));
  EXPECT_EQ(pre(R"({"type":"ByteLevel","add_prefix_space":false,"use_regex":false})", "a b"), (V{"aĠb"}));
}

TEST(TokComponents, SplitBehaviors) {
  auto split = [](const std::string& behavior, bool invert) {
    return R"({"type":"Split","pattern":{"String":"-"},"behavior":")" + behavior + R"(","invert":)" +
           (invert ? "true" : "false") + "}";
  };
  EXPECT_EQ(pre(split("Removed", false), "a-b--c"), (V{"a", "b", "c"}));
  EXPECT_EQ(pre(split("Isolated", false), "a-b--c"), (V{"a", "-", "b", "-", "-", "c"}));
  EXPECT_EQ(pre(split("MergedWithPrevious", false), "a-b--c"), (V{"a-", "b-", "-", "c"}));
  EXPECT_EQ(pre(split("MergedWithNext", false), "a-b--c"), (V{"a", "-b", "-", "-c"}));
  EXPECT_EQ(pre(split("Contiguous", false), "a-b--c"), (V{"a", "-", "b", "--", "c"}));
  EXPECT_EQ(pre(split("Removed", true), "a-b--c"), (V{"-", "-", "-"}));
}

TEST(TokComponents, RegexFollowsOniguruma) {
  EXPECT_EQ(oniguruma_to_pcre2("\\s+|[^\\s\\p{L}]"), "[\\s\\x{85}]+|[^\\s\\x{85}\\p{L}]");
  EXPECT_EQ(oniguruma_to_pcre2("[\\]\\s]\\w"), "[\\]\\s\\x{85}][\\p{L}\\p{M}\\p{Nd}\\p{Pc}]");
  auto split = [](const std::string& re, const std::string& text) {
    return pre(R"({"type":"Split","pattern":{"Regex":)" + json(re).dump() + R"(},"behavior":"Isolated","invert":false})", text);
  };
  EXPECT_EQ(split("\\s+", "a\u0085\u0085b"), (V{"a", "\u0085\u0085", "b"}));  // NEL is White_Space
  EXPECT_EQ(split("\\s+", "a\uFEFFb"), (V{"a\uFEFFb"}));                     // BOM is not
  EXPECT_EQ(split("\\w+", "e\u0301\u203Fx!"), (V{"e\u0301\u203Fx", "!"}));  // marks and Pc are word chars
  EXPECT_EQ(split("(?i:'s)", "IT'S it'ſ"), (V{"IT", "'S", " it", "'ſ"}));       // Unicode case folding
}

TEST(TokComponents, Normalizers) {
  EXPECT_EQ(norm(R"({"type":"NFKC"})", "ﬁ①Ｆ"), "fi1F");
  EXPECT_EQ(norm(R"({"type":"NFC"})", "e\xCC\x81"), "é");
  EXPECT_EQ(norm(R"({"type":"NFD"})", "é"), "e\xCC\x81");
  EXPECT_EQ(norm(R"({"type":"Lowercase"})", "ÀB İ Σ"), "àb i\xCC\x87 σ");
  EXPECT_EQ(norm(R"({"type":"Strip","strip_left":true,"strip_right":true})", " \u3000 a b \n"), "a b");
  EXPECT_EQ(norm(R"({"type":"Strip","strip_left":false,"strip_right":true})", "  a  "), "  a");
  EXPECT_EQ(norm(R"({"type":"Replace","pattern":{"Regex":"\\s+"},"content":" "})", "a \t\n b"), "a b");
  EXPECT_EQ(norm(R"({"type":"Sequence","normalizers":[{"type":"Prepend","prepend":"▁"},{"type":"Replace","pattern":{"String":" "},"content":"▁"}]})", "a b"),
            "▁a▁b");
  EXPECT_EQ(norm(R"({"type":"Prepend","prepend":"▁"})", ""), "");
}

TEST(TokComponents, Decoders) {
  EXPECT_EQ(dec(R"({"type":"Metaspace","replacement":"▁","prepend_scheme":"always"})", {"▁Hello", "▁world"}), "Hello world");
  EXPECT_EQ(dec(R"({"type":"Metaspace","replacement":"▁","prepend_scheme":"never"})", {"▁Hello"}), " Hello");
  EXPECT_EQ(dec(R"({"type":"Strip","content":" ","start":1,"stop":1})", {"  a  "}), " a ");
  EXPECT_EQ(dec(R"({"type":"Sequence","decoders":[{"type":"ByteFallback"},{"type":"Fuse"}]})", {"a", "<0xC3>", "<0xA9>", "<0xFF>", "b"}),
            "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "b");  // an invalid run: one U+FFFD per byte
  EXPECT_EQ(dec(R"({"type":"Sequence","decoders":[{"type":"ByteFallback"},{"type":"Fuse"}]})", {"<0xC3>", "<0xA9>", "x"}), "éx");
  EXPECT_EQ(dec(R"({"type":"ByteLevel"})", {"Hello", "Ġw", "Ã", "©"}), "Hello wé");
  EXPECT_EQ(dec(R"({"type":"ByteLevel"})", {"a", "Ã"}), "a\xEF\xBF\xBD");
}

TEST(TokComponents, UnicodeHelpers) {
  EXPECT_EQ(unicode::utf8_lossy("a\xF0\x9F\x98" "b\x80"), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
  EXPECT_EQ(unicode::complete_utf8_prefix("ab\xE4\xBD"), 2u);
  EXPECT_EQ(unicode::nfc("\xE1\x84\x80\xE1\x85\xA1"), "가");  // conjoining jamo compose
  EXPECT_TRUE(unicode::is_white_space(0x85));
  EXPECT_FALSE(unicode::is_white_space(0xFEFF));
  EXPECT_TRUE(unicode::is_numeric(U'٣'));
  EXPECT_TRUE(unicode::is_numeric(0x2160));   // Ⅰ, Nl
  EXPECT_TRUE(unicode::is_numeric(0x1F10A));  // 🄊, No
  EXPECT_FALSE(unicode::is_numeric(U'a'));
  EXPECT_FALSE(unicode::is_numeric(0x4E00));
}

TEST(TokComponents, UnknownTypesThrow) {
  EXPECT_THROW(pre(R"({"type":"Nope"})", "x"), Error);
  EXPECT_THROW(norm(R"({"type":"Precompiled","precompiled_charsmap":""})", "x"), Error);
  EXPECT_THROW(dec(R"({"type":"CTC"})", {"x"}), Error);
  EXPECT_THROW(pre(R"({"pattern":"x"})", "x"), Error);  // no type at all
}

}  // namespace
}  // namespace slm
