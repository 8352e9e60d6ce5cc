#include "eval/humaneval.h"

#include "eval/data_files.h"
#include "eval/jsonl.h"
#include "eval/metrics.h"
#include "eval/sandbox.h"
#include "eval/tasks.h"
#include "slm/error.h"

namespace slm::eval {
namespace humaneval {

std::string program(const nlohmann::ordered_json& problem, const std::string& completion) {
  return problem.at("prompt").get<std::string>() + completion + "\n" + problem.at("test").get<std::string>() +
         "\n" + "check(" + problem.at("entry_point").get<std::string>() + ")";
}

std::string instruct_message(const nlohmann::ordered_json& problem) {
  return "Write a solution to the following problem and make sure that it passes the tests:\n```python\n" +
         problem.at("prompt").get<std::string>() + "\n```\n";
}

std::string instruct_prefix(const nlohmann::ordered_json& problem) {
  return "Here is the completed function:\n```python\n" + problem.at("prompt").get<std::string>() + "\n";
}

std::string cut_at_code_fence(const std::string& completion) {
  const size_t at = completion.find("```");
  return at == std::string::npos ? completion : completion.substr(0, at);
}

}  // namespace humaneval

namespace {

class HumanEvalTask : public Task {
 public:
  explicit HumanEvalTask(const TaskOptions& o)
      : variant_(o.variant), samples_(std::max(1, o.samples)), sandbox_(limits_for(o)) {
    if (o.shots > 0) throw Error("humaneval is 0-shot");
    for (auto& r : read_jsonl(documents_path(o, "humaneval", "HumanEval.jsonl"))) {
      if (o.limit > 0 && static_cast<int>(docs_.size()) >= o.limit) break;
      docs_.push_back({r.at("task_id").get<std::string>(), "", std::move(r)});
    }
  }

  std::string name() const override { return "humaneval"; }
  std::string variant() const override { return variant_; }
  const std::vector<Doc>& docs() const override { return docs_; }
  int samples() const override { return samples_; }
  std::string primary_metric() const override { return "pass@1"; }
  std::string protocol() const override {
    std::string s = variant_ == "humaneval" ? "0-shot completion" : "0-shot, chat template, code-block prefix";
    s += samples_ == 1 ? ", greedy, pass@1" : ", " + std::to_string(samples_) + " samples, unbiased pass@k";
    return s + ", sandboxed python3";
  }

  Prompt prompt(const Doc& doc) const override {
    Prompt p;
    if (variant_ == "humaneval") {
      p.text = doc.fields.at("prompt").get<std::string>();
    } else {
      p.messages = nlohmann::ordered_json::array(
          {{{"role", "user"}, {"content", humaneval::instruct_message(doc.fields)}}});
      p.gen_prefix = humaneval::instruct_prefix(doc.fields);
    }
    return p;
  }

  GenerationLimits limits() const override {
    if (variant_ == "humaneval") return {{"\nclass", "\ndef", "\n#", "\nif", "\nprint"}, 1024};
    return {{}, 1024};
  }

  DocScore score(const Doc& doc, const std::vector<std::string>& responses) const override {
    DocScore s;
    int64_t passed = 0;
    nlohmann::ordered_json outcomes = nlohmann::ordered_json::array();
    for (const auto& response : responses) {
      const std::string completion = variant_ == "humaneval" ? response : humaneval::cut_at_code_fence(response);
      const RunResult run = sandbox_.run(humaneval::program(doc.fields, completion));
      passed += run.outcome == RunOutcome::passed;
      nlohmann::ordered_json o = {{"outcome", outcome_name(run.outcome)}, {"seconds", run.seconds}};
      if (run.outcome != RunOutcome::passed && !run.stderr_tail.empty()) o["stderr"] = run.stderr_tail;
      outcomes.push_back(std::move(o));
    }
    const int64_t n = static_cast<int64_t>(responses.size());
    for (int64_t k : {1, 2, 8, 10, 16, 32, 64, 100})
      if (k <= n) s.metrics["pass@" + std::to_string(k)] = pass_at_k(n, passed, k);
    s.extracted = {{"n", n}, {"passed", passed}, {"runs", outcomes}};
    return s;
  }

  std::vector<std::string> warnings() const override { return sandbox_.warnings(); }

 private:
  static SandboxLimits limits_for(const TaskOptions& o) {
    SandboxLimits l;
    l.wall_seconds = o.sandbox_timeout_s;
    l.cpu_seconds = static_cast<int>(o.sandbox_timeout_s) + 1;
    return l;
  }

  std::string variant_;
  int samples_;
  PythonSandbox sandbox_;
  std::vector<Doc> docs_;
};

}  // namespace

std::unique_ptr<Task> make_humaneval_task(const TaskOptions& options) {
  return std::make_unique<HumanEvalTask>(options);
}

}  // namespace slm::eval
