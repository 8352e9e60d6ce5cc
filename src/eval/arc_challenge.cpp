#include "eval/arc_challenge.h"

#include <algorithm>

#include "eval/answer_extraction.h"
#include "eval/data_files.h"
#include "eval/jsonl.h"
#include "eval/tasks.h"
#include "slm/error.h"

namespace slm::eval {
namespace arc {

int gold_index(const nlohmann::ordered_json& doc) {
  const auto& labels = doc.at("choices").at("label");
  const std::string key = doc.at("answerKey").get<std::string>();
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels[i].get<std::string>() == key) return static_cast<int>(i);
  throw Error("ARC item " + doc.value("id", std::string("?")) + ": answerKey " + key + " is not a label");
}

std::string gold_letter(const nlohmann::ordered_json& doc) {
  std::string key = doc.at("answerKey").get<std::string>();
  if (key.size() == 1 && key[0] >= '1' && key[0] <= '9') key = std::string(1, static_cast<char>('A' + key[0] - '1'));
  return key;
}

std::string chat_question(const nlohmann::ordered_json& doc) {
  const auto& texts = doc.at("choices").at("text");
  std::string q = "Given the following question and four candidate answers (A, B, C and D), choose the best "
                  "answer.\nQuestion: " +
                  strip(doc.at("question").get<std::string>());
  const char* letters[] = {"A", "B", "C", "D"};
  for (size_t i = 0; i < std::min<size_t>(4, texts.size()); ++i)
    q += std::string("\n") + letters[i] + ". " + texts[i].get<std::string>();
  return q + "\nYour response should end with \"The best answer is [the_answer_letter]\" where the "
             "[the_answer_letter] is one of A, B, C or D.";
}

size_t character_count(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace arc

namespace {

class ArcChallengeTask : public Task {
 public:
  explicit ArcChallengeTask(const TaskOptions& o) : variant_(o.variant) {
    if (o.shots > 0)
      throw Error("arc_challenge: few-shot needs the ARC train split, which the eval data does not include");
    for (auto& r : read_jsonl(documents_path(o, "arc_challenge", "test.jsonl"))) {
      if (o.limit > 0 && static_cast<int>(docs_.size()) >= o.limit) break;
      docs_.push_back({r.at("id").get<std::string>(), "", std::move(r)});
    }
  }

  std::string name() const override { return "arc_challenge"; }
  std::string variant() const override { return variant_; }
  const std::vector<Doc>& docs() const override { return docs_; }
  bool scores_loglikelihood() const override { return variant_ == "arc_challenge"; }
  std::string primary_metric() const override { return scores_loglikelihood() ? "acc_norm" : "exact_match"; }
  std::string protocol() const override {
    if (scores_loglikelihood()) return "0-shot, completion, log-likelihood of \" answer\"; acc_norm by characters";
    return "0-shot, chat template, generative letter after \"The best answer is\", exact_match";
  }

  ChoiceSet choices(const Doc& doc) const override {
    ChoiceSet set;
    set.context = "Question: " + doc.fields.at("question").get<std::string>() + "\nAnswer:";
    for (const auto& t : doc.fields.at("choices").at("text")) set.continuations.push_back(" " + t.get<std::string>());
    return set;
  }

  DocScore score_choices(const Doc& doc, const std::vector<double>& lls) const override {
    const auto& texts = doc.fields.at("choices").at("text");
    if (lls.size() != texts.size()) throw Error("ARC item " + doc.id + ": log-likelihood count differs from choices");
    size_t best = 0, best_norm = 0;
    std::vector<double> normalised;
    for (size_t i = 0; i < lls.size(); ++i) {
      normalised.push_back(lls[i] / static_cast<double>(arc::character_count(texts[i].get<std::string>())));
      if (lls[i] > lls[best]) best = i;
      if (normalised[i] > normalised[best_norm]) best_norm = i;
    }
    const size_t gold = static_cast<size_t>(arc::gold_index(doc.fields));
    DocScore s;
    s.metrics["acc"] = best == gold ? 1.0 : 0.0;
    s.metrics["acc_norm"] = best_norm == gold ? 1.0 : 0.0;
    s.extracted = {{"loglikelihoods", lls}, {"pred", best}, {"pred_norm", best_norm}, {"gold", gold}};
    return s;
  }

  Prompt prompt(const Doc& doc) const override {
    Prompt p;
    p.messages = nlohmann::ordered_json::array({{{"role", "user"}, {"content", arc::chat_question(doc.fields)}}});
    p.gen_prefix = "The best answer is";
    return p;
  }

  GenerationLimits limits() const override { return {{"\n\n", "."}, 100}; }

  DocScore score(const Doc& doc, const std::vector<std::string>& responses) const override {
    const std::string answer = remove_leading_space(responses.at(0));
    const std::string gold = arc::gold_letter(doc.fields);
    DocScore s;
    s.metrics["exact_match"] = exact_match(answer, gold, {{}, true, true}) ? 1.0 : 0.0;
    s.extracted = {{"answer", answer}, {"gold", gold}};
    return s;
  }

 private:
  std::string variant_;
  std::vector<Doc> docs_;
};

}  // namespace

std::unique_ptr<Task> make_arc_challenge_task(const TaskOptions& options) {
  return std::make_unique<ArcChallengeTask>(options);
}

}  // namespace slm::eval
