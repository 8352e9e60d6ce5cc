// Answer filters and exact_match as the harness applies them, on crafted model outputs.
#include <gtest/gtest.h>

#include "eval/answer_extraction.h"
#include "eval/batch_scheduler.h"
#include "eval/gsm8k.h"
#include "eval/metrics.h"
#include "eval/mmlu_pro.h"
#include "eval/python_regex.h"

namespace slm::eval {

TEST(EvalRegex, FindallReturnsGroupsOrWholeMatch) {
  EXPECT_EQ(PyRegex("[0-9]+").findall("a 12 b 345"), (std::vector<std::vector<std::string>>{{"12"}, {"345"}}));
  EXPECT_EQ(PyRegex("(a)|(b)").findall("ab"), (std::vector<std::vector<std::string>>{{"a", ""}, {"", "b"}}));
  EXPECT_EQ(PyRegex("x*").findall("ab").size(), 3u);  // empty matches at 0, 1, 2 as in Python
  EXPECT_EQ(PyRegex("(?s).*#### ").sub("work\n#### 1,234", ""), "1,234");
  EXPECT_EQ(PyRegex("\\.$").sub("18.", ""), "18");
}

TEST(EvalGsm8kExtraction, StrictNeedsTheAnswerPhrase) {
  EXPECT_EQ(gsm8k::strict_extract("So 9 * 2 = 18. The answer is 18."), "18");
  EXPECT_EQ(gsm8k::strict_extract("The answer is -1,234.5 dollars"), "-1,234.5");
  // First match; the greedy class takes the period when another character follows it.
  EXPECT_EQ(gsm8k::strict_extract("The answer is 7. Later: The answer is 9."), "7.");
  EXPECT_TRUE(gsm8k::answers_match(gsm8k::strict_extract("The answer is 7. Later"), "7"));
  EXPECT_EQ(gsm8k::strict_extract("She makes 18 dollars."), "[invalid]");
  EXPECT_EQ(gsm8k::strict_extract("the answer is 18."), "[invalid]");  // case-sensitive pattern
}

TEST(EvalGsm8kExtraction, FlexibleTakesTheLastNumber) {
  EXPECT_EQ(gsm8k::flexible_extract("16 - 3 - 4 = 9 eggs, 9 * 2 = $18."), "$18.");
  EXPECT_EQ(gsm8k::flexible_extract("it is 5"), "5");  // single digit: the second alternative
  EXPECT_EQ(gsm8k::flexible_extract("no digits here"), "[invalid]");
  EXPECT_EQ(gsm8k::strict_extract_llama("... The final answer is $1,000"), "$1,000");
  EXPECT_EQ(gsm8k::strict_extract_llama("The final answer is 7"), "7");
}

TEST(EvalGsm8kExtraction, ExactMatchNormalisesBothSides) {
  EXPECT_TRUE(gsm8k::answers_match("$1,234.", "1234"));
  EXPECT_TRUE(gsm8k::answers_match("18", "18"));
  EXPECT_FALSE(gsm8k::answers_match("18.0", "18"));  // no numeric comparison in the harness
  EXPECT_FALSE(gsm8k::answers_match("[invalid]", "18"));
  EXPECT_EQ(gsm8k::reference_answer("work\n#### 1,234"), "1,234");
  EXPECT_TRUE(gsm8k::answers_match(gsm8k::flexible_extract("so $1,234."), gsm8k::reference_answer("x\n#### 1234")));
}

TEST(EvalExactMatch, CaseAndPunctuation) {
  ExactMatchRules rules{{}, true, true};
  EXPECT_TRUE(exact_match("(b).", "B", rules));
  EXPECT_FALSE(exact_match("B C", "B", rules));
  EXPECT_EQ(remove_leading_space(" A"), "A");
  EXPECT_EQ(remove_leading_space("  A"), " A");  // one space only, as the harness filter
  EXPECT_FALSE(exact_match(remove_leading_space("\nA"), "A", rules));
  EXPECT_EQ(normalise_for_match("A-B_c!", rules), "abc");
}

TEST(EvalMmluProExtraction, HarnessPatternAndReferenceCascade) {
  EXPECT_EQ(mmlu_pro::extract_answer("... so the answer is (C)."), "C");
  EXPECT_EQ(mmlu_pro::extract_answer("the answer is J"), "J");
  EXPECT_EQ(mmlu_pro::extract_answer("The Answer Is (C)"), "[invalid]");
  EXPECT_EQ(mmlu_pro::extract_answer("Answer: D"), "[invalid]");
  EXPECT_EQ(mmlu_pro::extract_answer_cascade("Answer: D"), "D");
  EXPECT_EQ(mmlu_pro::extract_answer_cascade("I pick B over A, finally E\nfor sure"), "E");
  EXPECT_EQ(mmlu_pro::extract_answer_cascade("no letter at all"), "");
}

TEST(EvalMetrics, PassAtKAndStandardError) {
  EXPECT_DOUBLE_EQ(pass_at_k(1, 1, 1), 1.0);
  EXPECT_DOUBLE_EQ(pass_at_k(1, 0, 1), 0.0);
  EXPECT_NEAR(pass_at_k(10, 3, 1), 0.3, 1e-12);
  EXPECT_NEAR(pass_at_k(10, 3, 5), 1.0 - (7.0 * 6 * 5 * 4 * 3) / (10.0 * 9 * 8 * 7 * 6), 1e-12);  // 1 - C(7,5)/C(10,5)
  EXPECT_DOUBLE_EQ(pass_at_k(10, 8, 5), 1.0);  // n - c < k
  auto m = mean_with_error({1, 0, 1, 0});
  EXPECT_DOUBLE_EQ(m.mean, 0.5);
  EXPECT_NEAR(m.stderr_of_mean, std::sqrt((4 * 0.25 / 3.0) / 4.0), 1e-12);
}

TEST(EvalStops, FirstStopStringWins) {
  EXPECT_EQ(find_first_stop("abc Q: x\n\nQ:", {"\n\n", "Q:"}), 4u);
  EXPECT_EQ(find_first_stop("abc", {"Q:"}), std::string::npos);
}

}  // namespace slm::eval
