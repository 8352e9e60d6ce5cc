#pragma once
// One benchmark variant: its documents, how each becomes a prompt (or a set of choices to
// score by log-likelihood), how generation is limited, and how an output is scored.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace slm::eval {

struct Doc {
  std::string id;                  // stable across runs: the results file and --responses key on it
  std::string group;               // a per-group breakdown (MMLU-Pro category), "" for none
  nlohmann::ordered_json fields;   // the record as read
};

// Either a plain completion prompt or chat messages rendered through the model's template,
// after whose generation prompt `gen_prefix` is appended (the assistant turn starts with it).
struct Prompt {
  std::string text;
  nlohmann::ordered_json messages;  // non-empty: a chat prompt
  std::string gen_prefix;
  bool is_chat() const { return !messages.empty(); }
};

struct GenerationLimits {
  std::vector<std::string> stops;  // output ends before the first of these
  int max_tokens = 256;
};

// Log-likelihood scoring: the summed log-prob of each continuation given the context.
struct ChoiceSet {
  std::string context;
  std::vector<std::string> continuations;
};

// The outcome of one document: metric name -> value, plus what was extracted, for the record.
struct DocScore {
  nlohmann::ordered_json metrics = nlohmann::ordered_json::object();
  nlohmann::ordered_json extracted = nlohmann::ordered_json::object();
};

class Task {
 public:
  virtual ~Task() = default;
  virtual std::string name() const = 0;     // gsm8k, arc_challenge, mmlu_pro, humaneval
  virtual std::string variant() const = 0;  // the harness configuration it reproduces
  // Shots, chat or completion, filters and metric: printed next to every number.
  virtual std::string protocol() const = 0;
  virtual const std::vector<Doc>& docs() const = 0;
  // The metric the report leads with.
  virtual std::string primary_metric() const = 0;

  virtual bool scores_loglikelihood() const { return false; }
  virtual Prompt prompt(const Doc& doc) const;
  virtual GenerationLimits limits() const { return {}; }
  // Samples per document (HumanEval pass@k); every other task takes the first.
  virtual int samples() const { return 1; }
  virtual DocScore score(const Doc& doc, const std::vector<std::string>& responses) const;

  // Caveats the report should carry (e.g. sandbox isolation that was unavailable).
  virtual std::vector<std::string> warnings() const { return {}; }

  virtual ChoiceSet choices(const Doc& doc) const;
  virtual DocScore score_choices(const Doc& doc, const std::vector<double>& loglikelihoods) const;
};

struct TaskOptions {
  std::string variant;      // "" = the task's default
  std::string data_dir;     // holds <task>/… as laid out in the eval fixtures
  std::string data_file;    // an explicit documents file (e.g. mini.jsonl) instead of the test split
  int shots = -1;           // -1 = the variant's own
  int limit = 0;            // 0 = all (MMLU-Pro: per category, as the harness applies it)
  uint64_t seed = 1234;
  int samples = 1;          // HumanEval samples per problem
  double sandbox_timeout_s = 3.0;
  std::string revision;     // MMLU-Pro: "2026-02" applies that revision's changed records
};

// Throws slm::Error for an unknown task or variant, listing the known ones.
std::unique_ptr<Task> make_task(const std::string& name, const TaskOptions& options);
std::vector<std::string> task_variants(const std::string& name);

}  // namespace slm::eval
