#include "eval/gsm8k.h"

#include "eval/answer_extraction.h"
#include "eval/data_files.h"
#include "eval/jsonl.h"
#include "eval/tasks.h"
#include "slm/error.h"

namespace slm::eval {
namespace gsm8k {

std::string question_text(const std::string& question) { return "Q: " + question + "\nA:"; }

std::string cot_prompt(const std::vector<Exemplar>& exemplars, int shots, const std::string& question) {
  std::string out;
  for (int i = 0; i < shots; ++i) out += question_text(exemplars[i].question) + " " + exemplars[i].target + "\n\n";
  return out + question_text(question);
}

std::string llama_question_text(const std::string& question) {
  return "Given the following problem, reason and give a final answer to the problem.\nProblem: " + question +
         "\nYour response should end with \"The final answer is [answer]\" where [answer] is the response to the "
         "problem.\n";
}

std::string reference_answer(const std::string& answer_field) {
  const size_t at = answer_field.rfind("####");
  return strip(at == std::string::npos ? answer_field : answer_field.substr(at + 4));
}

std::string strict_extract(const std::string& response) {
  return regex_extract(response, "The answer is (\\-?[0-9\\.\\,]+).", 0);
}

std::string strict_extract_llama(const std::string& response) {
  return regex_extract(response, "The final answer is ((-?[$0-9.,]{2,})|(-?[0-9]+))", -1);
}

std::string flexible_extract(const std::string& response) {
  return regex_extract(response, "(-?[$0-9.,]{2,})|(-?[0-9]+)", -1);
}

bool answers_match(const std::string& prediction, const std::string& reference) {
  static const ExactMatchRules rules{{",", "\\$", "(?s).*#### ", "\\.$"}, true, false};
  return exact_match(prediction, reference, rules);
}

}  // namespace gsm8k

namespace {

using namespace gsm8k;

class Gsm8kTask : public Task {
 public:
  explicit Gsm8kTask(const TaskOptions& o) : variant_(o.variant) {
    const auto rows = read_jsonl(documents_path(o, "gsm8k", "test.jsonl"));
    for (size_t i = 0; i < rows.size(); ++i) {
      if (o.limit > 0 && static_cast<int>(docs_.size()) >= o.limit) break;
      docs_.push_back({std::to_string(i), "", rows[i]});
    }
    const int default_shots = variant_ == "gsm8k_cot_zeroshot" ? 0 : 8;
    shots_ = o.shots >= 0 ? o.shots : default_shots;
    if (variant_ == "gsm8k_cot_zeroshot" && shots_ != 0) throw Error("gsm8k_cot_zeroshot takes no shots");
    if (shots_ > 0) {
      for (const auto& r : read_jsonl(companion_path(o, "gsm8k", "fewshot.jsonl")))
        exemplars_.push_back({r.at("question").get<std::string>(), r.at("target").get<std::string>(),
                              r.value("target_llama", std::string())});
      if (shots_ > static_cast<int>(exemplars_.size()))
        throw Error("gsm8k: " + std::to_string(shots_) + " shots asked, " + std::to_string(exemplars_.size()) +
                    " fixed exemplars available");
    }
  }

  std::string name() const override { return "gsm8k"; }
  std::string variant() const override { return variant_; }
  std::string primary_metric() const override { return "exact_match,strict-match"; }
  const std::vector<Doc>& docs() const override { return docs_; }

  std::string protocol() const override {
    const std::string shots = std::to_string(shots_) + "-shot";
    if (variant_ == "gsm8k_cot") return shots + " CoT (fixed exemplars), completion, greedy, exact_match";
    if (variant_ == "gsm8k_cot_zeroshot") return "0-shot CoT \"Let's think step by step.\", completion, exact_match";
    if (variant_ == "gsm8k_cot_chat") return shots + " CoT, chat template, shots as turns, greedy, exact_match";
    return shots + " CoT Llama 3 format, chat template, shots as turns, greedy, exact_match";
  }

  Prompt prompt(const Doc& doc) const override {
    const std::string question = doc.fields.at("question").get<std::string>();
    Prompt p;
    if (variant_ == "gsm8k_cot") {
      p.text = cot_prompt(exemplars_, shots_, question);
    } else if (variant_ == "gsm8k_cot_zeroshot") {
      p.text = question_text(question) + " Let's think step by step.";
    } else {
      const bool llama = variant_ == "gsm8k_cot_llama";
      p.messages = nlohmann::ordered_json::array();
      for (int i = 0; i < shots_; ++i) {
        const auto& ex = exemplars_[i];
        p.messages.push_back(
            {{"role", "user"}, {"content", llama ? llama_question_text(ex.question) : question_text(ex.question)}});
        p.messages.push_back({{"role", "assistant"}, {"content", llama ? ex.target_llama : ex.target}});
      }
      p.messages.push_back(
          {{"role", "user"}, {"content", llama ? llama_question_text(question) : question_text(question)}});
    }
    return p;
  }

  GenerationLimits limits() const override {
    GenerationLimits l;
    l.max_tokens = 256;
    if (variant_ == "gsm8k_cot_llama")
      l.stops = {"<|eot_id|>", "<|start_header_id|>user<|end_header_id|>", "Q:", "</s>", "<|im_end|>"};
    else
      l.stops = {"Q:", "</s>", "<|im_end|>"};
    return l;
  }

  DocScore score(const Doc& doc, const std::vector<std::string>& responses) const override {
    const std::string& response = responses.at(0);
    const std::string reference = reference_answer(doc.fields.at("answer").get<std::string>());
    const std::string strict =
        variant_ == "gsm8k_cot_llama" ? strict_extract_llama(response) : strict_extract(response);
    const std::string flexible = flexible_extract(response);
    DocScore s;
    s.metrics["exact_match,strict-match"] = answers_match(strict, reference) ? 1.0 : 0.0;
    s.metrics["exact_match,flexible-extract"] = answers_match(flexible, reference) ? 1.0 : 0.0;
    s.extracted = {{"strict-match", strict}, {"flexible-extract", flexible}, {"reference", reference}};
    return s;
  }

 private:
  std::string variant_;
  int shots_ = 8;
  std::vector<Doc> docs_;
  std::vector<Exemplar> exemplars_;
};

}  // namespace

std::unique_ptr<Task> make_gsm8k_task(const TaskOptions& options) { return std::make_unique<Gsm8kTask>(options); }

}  // namespace slm::eval
