#include "eval/mmlu_pro.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>

#include "eval/answer_extraction.h"
#include "eval/data_files.h"
#include "eval/jsonl.h"
#include "eval/tasks.h"
#include "slm/error.h"

namespace slm::eval {
namespace mmlu_pro {

std::string description(const std::string& category) {
  return "The following are multiple choice questions (with answers) about " + category +
         ". Think step by step and then finish your answer with \"the answer is (X)\" where X is the correct "
         "letter choice.\n";
}

std::string question_text(const nlohmann::ordered_json& item) {
  std::string q = "Question:\n" + item.at("question").get<std::string>() + "\nOptions:\n";
  const auto& options = item.at("options");
  for (size_t i = 0; i < options.size(); ++i)
    q += std::string(1, static_cast<char>('A' + i)) + ". " + strip(options[i].get<std::string>()) + "\n";
  return q + "Answer: Let's think step by step.";
}

std::string exemplar_answer(const nlohmann::ordered_json& exemplar) {
  static const std::string kPrefix = "A: Let's think step by step. ";
  std::string cot = exemplar.at("cot_content").get<std::string>();
  if (cot.compare(0, kPrefix.size(), kPrefix) == 0) cot.erase(0, kPrefix.size());
  return cot;
}

std::string cot_prompt(const std::string& category, const std::vector<nlohmann::ordered_json>& shots,
                       const nlohmann::ordered_json& item) {
  std::string out = description(category);
  for (const auto& shot : shots) out += question_text(shot) + " " + exemplar_answer(shot) + "\n\n";
  return out + question_text(item);
}

std::string extract_answer(const std::string& response) {
  return regex_extract(response, "answer is \\(?([ABCDEFGHIJ])\\)?", 0);
}

std::string extract_answer_cascade(const std::string& response) {
  for (const char* pattern : {"answer is \\(?([A-J])\\)?", ".*[aA]nswer:\\s*([A-J])", "(?s)\\b[A-J]\\b(?!.*\\b[A-J]\\b)"}) {
    std::string found = regex_extract(response, pattern, 0);
    if (found != kInvalidAnswer) return found;
  }
  return "";
}

}  // namespace mmlu_pro

namespace {

using namespace mmlu_pro;

class MmluProTask : public Task {
 public:
  explicit MmluProTask(const TaskOptions& o) : variant_(o.variant), seed_(o.seed) {
    shots_ = o.shots >= 0 ? o.shots : 5;
    std::vector<std::string> files;
    if (!o.data_file.empty()) {
      files.push_back(o.data_file);
    } else {
      const auto dir = std::filesystem::path(documents_path(o, "mmlu_pro", "test"));
      if (!std::filesystem::is_directory(dir)) throw Error("mmlu_pro: no test directory " + dir.string());
      for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".jsonl") files.push_back(e.path().string());
      std::sort(files.begin(), files.end());
    }
    // The later revision replaces records by question_id (content fixes, mostly of `answer`).
    std::map<int64_t, nlohmann::ordered_json> revised;
    if (!o.revision.empty()) {
      if (o.revision != "2026-02") throw Error("mmlu_pro: unknown revision '" + o.revision + "' (2026-02)");
      for (auto& r : read_jsonl(companion_path(o, "mmlu_pro", "revision_2026-02_changed.jsonl"))) {
        const int64_t id = r.at("question_id").get<int64_t>();
        revised[id] = std::move(r);
      }
      revision_ = o.revision;
    }
    std::map<std::string, int> per_category;
    for (const auto& f : files)
      for (auto r : read_jsonl(f)) {
        if (auto it = revised.find(r.at("question_id").get<int64_t>()); it != revised.end()) r = it->second;
        const std::string category = r.at("category").get<std::string>();
        if (o.limit > 0 && per_category[category] >= o.limit) continue;
        ++per_category[category];
        docs_.push_back({std::to_string(r.at("question_id").get<int64_t>()), category, std::move(r)});
      }
    if (shots_ > 0)
      for (auto& r : read_jsonl(companion_path(o, "mmlu_pro", "validation.jsonl"))) {
        auto& list = exemplars_[r.at("category").get<std::string>()];
        if (static_cast<int>(list.size()) < shots_) list.push_back(std::move(r));
      }
  }

  std::string name() const override { return "mmlu_pro"; }
  std::string variant() const override { return variant_; }
  const std::vector<Doc>& docs() const override { return docs_; }
  std::string primary_metric() const override { return "exact_match,custom-extract"; }
  std::string protocol() const override {
    return std::to_string(shots_) + "-shot CoT (validation exemplars of the category), " +
           (variant_ == "mmlu_pro" ? "completion" : "chat template, shots as turns") +
           ", greedy, \"answer is (X)\" exact_match; cascade = reference fallbacks + seeded guess" +
           (revision_.empty() ? std::string("; test data Oct 2024") : "; test data revision " + revision_);
  }

  Prompt prompt(const Doc& doc) const override {
    const auto& shots = shots_for(doc.group);
    Prompt p;
    if (variant_ == "mmlu_pro") {
      p.text = cot_prompt(doc.group, shots, doc.fields);
      return p;
    }
    p.messages = nlohmann::ordered_json::array();
    p.messages.push_back({{"role", "system"}, {"content", description(doc.group)}});
    for (const auto& shot : shots) {
      p.messages.push_back({{"role", "user"}, {"content", question_text(shot)}});
      p.messages.push_back({{"role", "assistant"}, {"content", exemplar_answer(shot)}});
    }
    p.messages.push_back({{"role", "user"}, {"content", question_text(doc.fields)}});
    return p;
  }

  GenerationLimits limits() const override { return {{"Question:"}, 2048}; }

  DocScore score(const Doc& doc, const std::vector<std::string>& responses) const override {
    const std::string& response = responses.at(0);
    const std::string gold = doc.fields.at("answer").get<std::string>();
    const std::string answer = extract_answer(response);
    std::string cascade = extract_answer_cascade(response);
    bool guessed = false;
    if (cascade.empty()) {
      // The reference guesses uniformly among the options; seeded per item (FNV-1a of the id, not
      // std::hash, which differs between standard libraries) so every build and rerun agrees.
      uint64_t item_seed = 1469598103934665603ull;
      for (unsigned char c : doc.id) item_seed = (item_seed ^ c) * 1099511628211ull;
      std::mt19937_64 rng(seed_ ^ item_seed);
      const size_t n = doc.fields.at("options").size();
      cascade = std::string(1, static_cast<char>('A' + rng() % std::max<size_t>(n, 1)));
      guessed = true;
    }
    const ExactMatchRules rules{{}, true, true};
    DocScore s;
    s.metrics["exact_match,custom-extract"] = exact_match(answer, gold, rules) ? 1.0 : 0.0;
    s.metrics["accuracy,cascade"] = cascade == gold ? 1.0 : 0.0;
    s.extracted = {{"custom-extract", answer}, {"cascade", cascade}, {"guessed", guessed}, {"gold", gold}};
    return s;
  }

 private:
  const std::vector<nlohmann::ordered_json>& shots_for(const std::string& category) const {
    static const std::vector<nlohmann::ordered_json> kNone;
    if (shots_ == 0) return kNone;
    auto it = exemplars_.find(category);
    if (it == exemplars_.end()) throw Error("mmlu_pro: no validation exemplars for category " + category);
    return it->second;
  }

  std::string variant_, revision_;
  uint64_t seed_;
  int shots_ = 5;
  std::vector<Doc> docs_;
  std::map<std::string, std::vector<nlohmann::ordered_json>> exemplars_;
};

}  // namespace

std::unique_ptr<Task> make_mmlu_pro_task(const TaskOptions& options) { return std::make_unique<MmluProTask>(options); }

}  // namespace slm::eval
