// The assembled prompts equal strings built by hand from the README's rules.
#include <gtest/gtest.h>

#include "eval/arc_challenge.h"
#include "eval/jsonl.h"
#include "eval/task.h"
#include "test_support.h"

namespace slm::eval {

namespace {
TaskOptions options_for(const std::string& variant) {
  TaskOptions o;
  o.variant = variant;
  o.data_dir = test::fixture("evals");
  return o;
}
std::string s(const nlohmann::ordered_json& j, const char* key) { return j.at(key).get<std::string>(); }
}  // namespace

TEST(EvalPrompt, Gsm8kEightShotCot) {
  auto task = make_task("gsm8k", options_for("gsm8k_cot"));
  const auto shots = read_jsonl(test::fixture("evals/gsm8k/fewshot.jsonl"));
  ASSERT_EQ(shots.size(), 8u);
  // "Q: {question}\nA:" + " " + target per shot, "\n\n" between shots and before the question.
  std::string expected;
  for (const auto& shot : shots) expected += "Q: " + s(shot, "question") + "\nA: " + s(shot, "target") + "\n\n";
  expected += "Q: " + s(task->docs()[0].fields, "question") + "\nA:";
  const Prompt p = task->prompt(task->docs()[0]);
  EXPECT_FALSE(p.is_chat());
  EXPECT_EQ(p.text, expected);
  // Spot checks against the literal fixture text.
  EXPECT_EQ(p.text.rfind("Q: There are 15 trees in the grove.", 0), 0u);
  EXPECT_NE(p.text.find("So there must have been 21 - 15 = 6. The answer is 6.\n\nQ: If there are 3 cars"),
            std::string::npos);
  EXPECT_NE(p.text.find("\n\nQ: Janet\xE2\x80\x99s ducks lay 16 eggs per day."), std::string::npos);
  EXPECT_TRUE(p.text.ends_with("?\nA:"));
  EXPECT_EQ(task->limits().stops, (std::vector<std::string>{"Q:", "</s>", "<|im_end|>"}));
  EXPECT_EQ(task->limits().max_tokens, 256);
}

TEST(EvalPrompt, MmluProFiveShotCot) {
  TaskOptions o = options_for("mmlu_pro");
  o.data_file = test::fixture("evals/mmlu_pro/mini.jsonl");
  o.data_dir.clear();  // the validation file is found next to the documents file
  auto task = make_task("mmlu_pro", o);
  const Doc* doc = nullptr;
  for (const auto& d : task->docs())
    if (d.group == "history") doc = &d;
  ASSERT_NE(doc, nullptr);
  std::vector<nlohmann::ordered_json> shots;
  for (const auto& v : read_jsonl(test::fixture("evals/mmlu_pro/validation.jsonl")))
    if (s(v, "category") == "history" && shots.size() < 5) shots.push_back(v);
  ASSERT_EQ(shots.size(), 5u);

  auto question_block = [](const nlohmann::ordered_json& item) {
    std::string q = "Question:\n" + s(item, "question") + "\nOptions:\n";
    const char letters[] = "ABCDEFGHIJ";
    for (size_t i = 0; i < item.at("options").size(); ++i) {
      std::string opt = item.at("options")[i].get<std::string>();
      while (!opt.empty() && std::isspace(static_cast<unsigned char>(opt.back()))) opt.pop_back();
      while (!opt.empty() && std::isspace(static_cast<unsigned char>(opt.front()))) opt.erase(0, 1);
      q += std::string(1, letters[i]) + ". " + opt + "\n";
    }
    return q + "Answer: Let's think step by step.";
  };
  std::string expected =
      "The following are multiple choice questions (with answers) about history. Think step by step and then "
      "finish your answer with \"the answer is (X)\" where X is the correct letter choice.\n";
  for (const auto& shot : shots) {
    const std::string cot = s(shot, "cot_content");
    ASSERT_EQ(cot.rfind("A: Let's think step by step. ", 0), 0u);
    expected += question_block(shot) + " " + cot.substr(29) + "\n\n";
  }
  expected += question_block(doc->fields);
  const Prompt p = task->prompt(*doc);
  EXPECT_EQ(p.text, expected);
  EXPECT_NE(p.text.find("\nJ. N/A\nAnswer: Let's think step by step."), std::string::npos);  // padded exemplars kept
  EXPECT_TRUE(p.text.ends_with("\nAnswer: Let's think step by step."));
  EXPECT_EQ(task->limits().stops, (std::vector<std::string>{"Question:"}));
  EXPECT_EQ(task->limits().max_tokens, 2048);
}

TEST(EvalPrompt, ArcChoicesAndChatQuestion) {
  TaskOptions o = options_for("arc_challenge");
  o.data_file = test::fixture("evals/arc_challenge/mini.jsonl");
  auto task = make_task("arc_challenge", o);
  ASSERT_TRUE(task->scores_loglikelihood());
  const auto& doc = task->docs()[0];
  const ChoiceSet set = task->choices(doc);
  EXPECT_EQ(set.context, "Question: " + s(doc.fields, "question") + "\nAnswer:");
  EXPECT_EQ(set.continuations[0], " Planetary density will decrease.");
  const std::string q = arc::chat_question(doc.fields);
  EXPECT_NE(q.find("\nA. Planetary density will decrease.\nB. "), std::string::npos);
  EXPECT_TRUE(q.ends_with("\" where the [the_answer_letter] is one of A, B, C or D."));
  // A five-choice item shows A-D only.
  const auto& five = task->docs()[9];
  ASSERT_EQ(five.fields.at("choices").at("text").size(), 5u);
  EXPECT_EQ(arc::chat_question(five.fields).find("\nE. "), std::string::npos);
}

}  // namespace slm::eval
