// `slm eval` end to end: each task's mini set through the real generation path on tiny models
// (random weights: the pipeline, counts and report are checked, not the score), scoring saved
// responses, and resuming an interrupted run.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "test_support.h"

namespace slm::test {

namespace {

std::string mini(const std::string& task) { return shell_quote(fixture("evals/" + task + "/mini.jsonl")); }
std::string model(const std::string& name) { return shell_quote(fixture("models/" + name)); }

nlohmann::json run_json(const std::string& args) {
  CliResult r = run_cli("eval " + args + " --json --no-progress");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return {};
  return nlohmann::json::parse(r.out);
}

std::vector<nlohmann::json> read_records(const std::string& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

}  // namespace

TEST(EvalCli, Gsm8kCotOnTinyQwen3) {
  const std::string dir = temp_dir("eval");
  const std::string out = dir + "/gsm8k.jsonl";
  auto j = run_json(model("tiny-qwen3") + " --task gsm8k --data " + mini("gsm8k") + " --parallel 4 --out " +
                    shell_quote(out));
  EXPECT_EQ(j["variant"], "gsm8k_cot");
  EXPECT_EQ(j["metrics"]["exact_match,strict-match"]["n"], 10);
  EXPECT_EQ(j["metrics"]["exact_match,flexible-extract"]["n"], 10);
  EXPECT_EQ(j["dtype"], "BF16");
  const auto records = read_records(out);
  ASSERT_EQ(records.size(), 10u);
  for (const auto& r : records) {
    EXPECT_EQ(r["responses"].size(), 1u);
    EXPECT_TRUE(r["extracted"].contains("strict-match"));
  }
  std::filesystem::remove_all(dir);
}

TEST(EvalCli, ParallelMatchesSequentialGreedy) {
  // Batched decoding must not change greedy outputs.
  const std::string dir = temp_dir("eval");
  run_json(model("tiny-qwen3") + " --task gsm8k --data " + mini("gsm8k") + " --limit 4 --max-gen-toks 24 --parallel 1 --out " +
           shell_quote(dir + "/p1.jsonl"));
  run_json(model("tiny-qwen3") + " --task gsm8k --data " + mini("gsm8k") + " --limit 4 --max-gen-toks 24 --parallel 4 --out " +
           shell_quote(dir + "/p4.jsonl"));
  std::map<std::string, nlohmann::json> a, b;
  for (const auto& r : read_records(dir + "/p1.jsonl")) a[r["doc_id"]] = r["responses"];
  for (const auto& r : read_records(dir + "/p4.jsonl")) b[r["doc_id"]] = r["responses"];
  EXPECT_EQ(a.size(), 4u);
  EXPECT_EQ(a, b);
  std::filesystem::remove_all(dir);
}

TEST(EvalCli, Gsm8kCompletionOnStories260k) {
  // Its 512-position context cannot hold the 8 shots: say so, and run with fewer.
  CliResult r = run_cli("eval " + model("stories260k") + " --task gsm8k --data " + mini("gsm8k") + " --no-progress");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("does not fit the context"), std::string::npos) << r.err;
  auto j = run_json(model("stories260k") + " --task gsm8k --shots 2 --data " + mini("gsm8k") +
                    " --limit 3 --max-gen-toks 32");
  EXPECT_EQ(j["metrics"]["exact_match,strict-match"]["n"], 3);
  EXPECT_NE(j["protocol"].get<std::string>().find("2-shot"), std::string::npos);
}

TEST(EvalCli, ChatVariantsNeedATemplate) {
  CliResult r = run_cli("eval " + model("stories260k") + " --task gsm8k --variant gsm8k_cot_chat --data " + mini("gsm8k") +
                        " --no-progress");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("chat template"), std::string::npos) << r.err;
}

TEST(EvalCli, Gsm8kChatVariantsOnTinyQwen3) {
  for (const char* v : {"gsm8k_cot_chat", "gsm8k_cot_llama"}) {
    auto j = run_json(model("tiny-qwen3") + " --task gsm8k --variant " + v + " --no-think --data " + mini("gsm8k") +
                      " --limit 4 --max-gen-toks 32");
    EXPECT_EQ(j["variant"], v);
    EXPECT_EQ(j["metrics"]["exact_match,strict-match"]["n"], 4);
  }
}

TEST(EvalCli, ArcChallengeBothVariants) {
  auto ll = run_json(model("tiny-qwen3") + " --task arc_challenge --data " + mini("arc_challenge"));
  EXPECT_EQ(ll["metrics"]["acc"]["n"], 10);
  EXPECT_EQ(ll["metrics"]["acc_norm"]["n"], 10);
  auto chat = run_json(model("tiny-qwen3") + " --task arc_challenge --variant arc_challenge_chat --data " +
                       mini("arc_challenge"));
  EXPECT_EQ(chat["metrics"]["exact_match"]["n"], 10);
}

TEST(EvalCli, ArcLoglikelihoodsDoNotDependOnBatching) {
  const std::string dir = temp_dir("eval");
  for (const char* p : {"1", "3"})
    run_json(model("tiny-qwen3") + " --task arc_challenge --data " + mini("arc_challenge") + " --parallel " + p +
             " --out " + shell_quote(dir + "/p" + p + ".jsonl"));
  auto a = read_records(dir + "/p1.jsonl"), b = read_records(dir + "/p3.jsonl");
  ASSERT_EQ(a.size(), 10u);
  ASSERT_EQ(b.size(), 10u);
  for (size_t i = 0; i < a.size(); ++i) {
    const auto& la = a[i]["extracted"]["loglikelihoods"];
    const auto& lb = b[i]["extracted"]["loglikelihoods"];
    ASSERT_EQ(la.size(), lb.size());
    for (size_t k = 0; k < la.size(); ++k) EXPECT_NEAR(la[k].get<double>(), lb[k].get<double>(), 1e-3);
    EXPECT_LT(la[0].get<double>(), 0.0);
  }
  std::filesystem::remove_all(dir);
}

TEST(EvalCli, MmluProPerCategory) {
  auto j = run_json(model("tiny-qwen3") + " --task mmlu_pro --data " + mini("mmlu_pro") + " --shots 1 --max-gen-toks 16");
  EXPECT_EQ(j["metrics"]["exact_match,custom-extract"]["n"], 10);
  EXPECT_EQ(j["groups"].size(), 10u);
  EXPECT_EQ(j["groups"]["math"]["exact_match,custom-extract"]["n"], 1);
}

TEST(EvalCli, HumanEvalGeneratesAndExecutes) {
  const std::string dir = temp_dir("eval");
  auto j = run_json(model("tiny-qwen3") + " --task humaneval --data " + mini("humaneval") +
                    " --limit 4 --max-gen-toks 16 --out " + shell_quote(dir + "/he.jsonl"));
  EXPECT_EQ(j["metrics"]["pass@1"]["n"], 4);
  for (const auto& r : read_records(dir + "/he.jsonl")) EXPECT_EQ(r["extracted"]["runs"].size(), 1u);
  auto k = run_json(model("tiny-qwen3") + " --task humaneval --variant humaneval_instruct --data " + mini("humaneval") +
                    " --limit 2 --samples 3 --max-gen-toks 8");
  EXPECT_EQ(k["metrics"]["pass@1"]["n"], 2);
  EXPECT_EQ(k["metrics"]["pass@2"]["n"], 2);
  EXPECT_FALSE(k["metrics"].contains("pass@10"));
  std::filesystem::remove_all(dir);
}

TEST(EvalCli, ScoresSavedResponsesWithoutAModel) {
  const std::string dir = temp_dir("eval");
  {
    std::ofstream f(dir + "/r.jsonl");
    f << R"({"doc_id": "0", "response": "... The answer is 18."})" << "\n"
      << R"({"doc_id": "1", "response": "The answer is 3."})" << "\n"
      << R"({"doc_id": "2", "response": "I think 70000 is wrong; it is 7"})" << "\n";
  }
  auto j = run_json("--task gsm8k --data " + mini("gsm8k") + " --responses " + shell_quote(dir + "/r.jsonl"));
  EXPECT_EQ(j["metrics"]["exact_match,strict-match"]["n"], 3);
  EXPECT_NEAR(j["metrics"]["exact_match,strict-match"]["score"].get<double>(), 2.0 / 3, 1e-9);
  EXPECT_NEAR(j["metrics"]["exact_match,flexible-extract"]["score"].get<double>(), 2.0 / 3, 1e-9);
  std::filesystem::remove_all(dir);
}

TEST(EvalCli, ResumeFinishesLikeAnUninterruptedRun) {
  const std::string dir = temp_dir("eval");
  const std::string full = dir + "/full.jsonl", part = dir + "/part.jsonl";
  const std::string common =
      model("tiny-qwen3") + " --task gsm8k --data " + mini("gsm8k") + " --max-gen-toks 24 --parallel 2 --out ";
  auto whole = run_json(common + shell_quote(full));
  // An interrupted run: 4 complete records and a torn fifth line.
  {
    std::ifstream in(full);
    std::ofstream outf(part);
    std::string line;
    for (int i = 0; i < 4 && std::getline(in, line); ++i) outf << line << "\n";
    std::getline(in, line);
    outf << line.substr(0, line.size() / 2);
  }
  CliResult r = run_cli("eval " + common + shell_quote(part) + " --resume --json --no-progress");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("4 of 10 documents already scored"), std::string::npos) << r.err;
  auto resumed = nlohmann::json::parse(r.out);
  EXPECT_EQ(resumed["resumed"], 4);
  EXPECT_EQ(resumed["scored_this_run"], 6);
  EXPECT_EQ(resumed["metrics"], whole["metrics"]);
  std::map<std::string, nlohmann::json> a, b;
  for (const auto& rec : read_records(full)) a[rec["doc_id"]] = rec["responses"];
  for (const auto& rec : read_records(part)) b[rec["doc_id"]] = rec["responses"];
  EXPECT_EQ(a, b);
  // Resuming a finished file scores nothing more.
  auto again = run_json(common + shell_quote(part) + " --resume");
  EXPECT_EQ(again["scored_this_run"], 0);
  EXPECT_EQ(again["metrics"], whole["metrics"]);
  std::filesystem::remove_all(dir);
}

TEST(EvalCli, ResumeAfterAKilledRun) {
  const std::string dir = temp_dir("eval");
  const std::string full = dir + "/full.jsonl", killed = dir + "/killed.jsonl";
  const std::string args = model("tiny-qwen3") + " --task gsm8k --data " + mini("gsm8k") +
                           " --max-gen-toks 96 --parallel 1 --out ";
  auto whole = run_json(args + shell_quote(full));
  // The same run, SIGKILLed once a few records are on disk.
  const std::string cmd = "exec " + shell_quote(SLM_CLI_PATH) + " eval " + args + shell_quote(killed) + " >/dev/null 2>&1";
  const char* argv[] = {"/bin/sh", "-c", cmd.c_str(), nullptr};
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char* const*>(argv), environ), 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    size_t lines = 0;
    {
      std::ifstream in(killed);
      for (std::string line; std::getline(in, line);) ++lines;
    }
    if (lines >= 3 || std::chrono::steady_clock::now() > deadline) break;
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      pid = 0;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (pid) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  const size_t kept = read_records(killed).size();
  std::printf("killed with %zu of 10 records written\n", kept);
  CliResult r = run_cli("eval " + args + shell_quote(killed) + " --resume --json --no-progress");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto resumed = nlohmann::json::parse(r.out);
  EXPECT_EQ(resumed["resumed"].get<size_t>() + resumed["scored_this_run"].get<size_t>(), 10u) << "kept " << kept;
  EXPECT_EQ(resumed["metrics"], whole["metrics"]);
  std::map<std::string, nlohmann::json> a, b;
  for (const auto& rec : read_records(full)) a[rec["doc_id"]] = rec["responses"];
  for (const auto& rec : read_records(killed)) b[rec["doc_id"]] = rec["responses"];
  EXPECT_EQ(a, b);
  std::filesystem::remove_all(dir);
}

TEST(EvalCli, ResumeRefusesAnotherTasksFile) {
  const std::string dir = temp_dir("eval");
  run_json(model("tiny-qwen3") + " --task arc_challenge --data " + mini("arc_challenge") + " --limit 2 --out " +
           shell_quote(dir + "/a.jsonl"));
  CliResult r = run_cli("eval " + model("tiny-qwen3") + " --task gsm8k --data " + mini("gsm8k") + " --out " +
                        shell_quote(dir + "/a.jsonl") + " --resume --no-progress");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("use another --out"), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}

TEST(EvalCli, NeedsData) {
  CliResult r = run_cli("eval " + model("tiny-qwen3") + " --task gsm8k --no-progress");
  if (std::getenv("SLM_EVAL_DATA")) GTEST_SKIP() << "SLM_EVAL_DATA is set";
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--data-dir"), std::string::npos) << r.err;
}

}  // namespace slm::test
