// Gold answers, written the way a model would answer, score 100% on every item of the full sets.
#include <gtest/gtest.h>

#include "eval/arc_challenge.h"
#include "eval/gsm8k.h"
#include "eval/task.h"
#include "test_support.h"

namespace slm::eval {

namespace {
TaskOptions all_of(const std::string& variant) {
  TaskOptions o;
  o.variant = variant;
  o.data_dir = test::fixture("evals");
  return o;
}
}  // namespace

TEST(EvalReferenceScoring, Gsm8kGoldAsTheAnswerSentence) {
  auto task = make_task("gsm8k", all_of("gsm8k_cot"));
  ASSERT_EQ(task->docs().size(), 1319u);
  for (const auto& doc : task->docs()) {
    const std::string gold = gsm8k::reference_answer(doc.fields.at("answer").get<std::string>());
    const DocScore s = task->score(doc, {"Some reasoning. The answer is " + gold + "."});
    ASSERT_EQ(s.metrics["exact_match,strict-match"], 1.0) << doc.id << ": " << gold;
    ASSERT_EQ(s.metrics["exact_match,flexible-extract"], 1.0) << doc.id << ": " << gold;
  }
}

TEST(EvalReferenceScoring, ArcChatGoldLetter) {
  auto task = make_task("arc_challenge", all_of("arc_challenge_chat"));
  ASSERT_EQ(task->docs().size(), 1172u);
  for (const auto& doc : task->docs()) {
    const DocScore s = task->score(doc, {" " + arc::gold_letter(doc.fields)});
    ASSERT_EQ(s.metrics["exact_match"], 1.0) << doc.id;
  }
}

TEST(EvalReferenceScoring, ArcLoglikelihoodPicksTheBest) {
  auto task = make_task("arc_challenge", all_of("arc_challenge"));
  const auto& doc = task->docs()[0];
  std::vector<double> lls(doc.fields.at("choices").at("text").size(), -50.0);
  lls[arc::gold_index(doc.fields)] = -1.0;
  const DocScore s = task->score_choices(doc, lls);
  EXPECT_EQ(s.metrics["acc"], 1.0);
  EXPECT_EQ(s.metrics["acc_norm"], 1.0);
}

TEST(EvalReferenceScoring, MmluProGoldInTheAnswerPhrase) {
  auto task = make_task("mmlu_pro", all_of("mmlu_pro"));
  ASSERT_EQ(task->docs().size(), 12032u);
  for (const auto& doc : task->docs()) {
    const std::string gold = doc.fields.at("answer").get<std::string>();
    const DocScore s = task->score(doc, {"Let me see. The answer is (" + gold + ")."});
    ASSERT_EQ(s.metrics["exact_match,custom-extract"], 1.0) << doc.id;
    ASSERT_EQ(s.metrics["accuracy,cascade"], 1.0) << doc.id;
  }
}

TEST(EvalReferenceScoring, MmluProLimitIsPerCategory) {
  TaskOptions o = all_of("mmlu_pro");
  o.limit = 2;
  auto task = make_task("mmlu_pro", o);
  EXPECT_EQ(task->docs().size(), 28u);  // 14 categories x 2
}

}  // namespace slm::eval

namespace slm::eval {

TEST(EvalReferenceScoring, MmluProRevisionReplacesRecords) {
  TaskOptions o = all_of("mmlu_pro");
  auto base = make_task("mmlu_pro", o);
  o.revision = "2026-02";
  auto revised = make_task("mmlu_pro", o);
  ASSERT_EQ(revised->docs().size(), base->docs().size());  // records are replaced, none dropped
  auto answer_of = [](const Task& t, const std::string& id) {
    for (const auto& d : t.docs())
      if (d.id == id) return d.fields.at("answer").get<std::string>();
    return std::string("?");
  };
  EXPECT_EQ(answer_of(*base, "894"), "G");
  EXPECT_EQ(answer_of(*revised, "894"), "H");
  o.revision = "2030-01";
  EXPECT_THROW(make_task("mmlu_pro", o), std::exception);
}

}  // namespace slm::eval

namespace slm::eval {

TEST(EvalReferenceScoring, MmluProGuessWhenNothingIsExtracted) {
  TaskOptions o = all_of("mmlu_pro");
  o.data_file = test::fixture("evals/mmlu_pro/mini.jsonl");
  o.data_dir.clear();
  auto task = make_task("mmlu_pro", o);
  for (const auto& doc : task->docs()) {
    const DocScore a = task->score(doc, {"no idea"});
    const DocScore b = task->score(doc, {"still no idea"});
    EXPECT_EQ(a.metrics["exact_match,custom-extract"], 0.0);
    EXPECT_TRUE(a.extracted["guessed"].get<bool>());
    const std::string guess = a.extracted["cascade"].get<std::string>();
    ASSERT_EQ(guess.size(), 1u);
    EXPECT_LT(static_cast<size_t>(guess[0] - 'A'), doc.fields.at("options").size());
    EXPECT_EQ(guess, b.extracted["cascade"].get<std::string>());  // the same item guesses the same
  }
}

}  // namespace slm::eval
