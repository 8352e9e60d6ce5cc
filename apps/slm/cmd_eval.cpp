// slm eval MODEL --task gsm8k|arc_challenge|mmlu_pro|humaneval [--variant V] [--limit N] [--shots K]
//          [--seed S] [--out results.jsonl [--resume]] [--data-dir DIR | --data FILE] [--parallel P]
//          [--responses FILE] [--json] [--max-gen-toks N] [--samples N] [--temp T] [--top-p P]
//          [--think | --no-think] [--threads K] [--timeout SECONDS] [--no-progress] [--revision 2026-02]
//          [--bos auto|on|off]
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "args.h"
#include "load_options.h"
#include "command.h"
#include "engine/engine.h"
#include "eval/eval_runner.h"
#include "eval/report.h"
#include "eval/results_store.h"
#include "eval/task.h"

namespace slm::cli {
namespace {

constexpr const char* kUsage =
    "usage: slm eval MODEL --task gsm8k|arc_challenge|mmlu_pro|humaneval [--variant V] [--limit N] [--shots K]\n"
    "         [--seed S] [--out results.jsonl [--resume]] [--data-dir DIR | --data FILE] [--parallel P]\n"
    "         [--responses FILE (no MODEL needed)] [--json] [--max-gen-toks N] [--samples N] [--temp T]\n"
    "         [--top-p P] [--think | --no-think] [--threads K] [--timeout SECONDS] [--no-progress]\n"
    "         [--revision 2026-02 (mmlu_pro)] [--bos auto|on|off]";

std::string describe_dtypes(const Engine& engine) {
  std::string out;
  for (const auto& [dtype, bytes] : engine.model().files().weights.bytes_by_dtype()) {
    (void)bytes;
    out += (out.empty() ? "" : "+") + dtype;
  }
  return out.empty() ? "?" : out;
}

int eval_main(const std::vector<std::string>& argv) {
  Args args(argv);
  if (args.flag("--help") || args.flag("-h")) {
    std::printf("%s\n\nvariants:\n", kUsage);
    for (const char* t : {"gsm8k", "arc_challenge", "mmlu_pro", "humaneval"}) {
      std::printf("  %-14s", t);
      for (const auto& v : eval::task_variants(t)) std::printf(" %s", v.c_str());
      std::printf("\n");
    }
    return 0;
  }
  const std::string task_name = args.option("--task");
  eval::TaskOptions task_options;
  task_options.variant = args.option("--variant");
  task_options.limit = static_cast<int>(args.int_option("--limit", 0));
  task_options.shots = static_cast<int>(args.int_option("--shots", -1));
  const long long seed = args.int_option("--seed", 1234);
  task_options.seed = static_cast<uint64_t>(seed);
  task_options.data_file = args.option("--data");
  task_options.data_dir = args.option("--data-dir");
  if (task_options.data_dir.empty() && task_options.data_file.empty())
    if (const char* env = std::getenv("SLM_EVAL_DATA")) task_options.data_dir = env;
  task_options.samples = static_cast<int>(args.int_option("--samples", 1));
  task_options.sandbox_timeout_s = args.float_option("--timeout", 3.0);
  task_options.revision = args.option("--revision");
  const std::string out_path = args.option("--out");
  const bool resume = args.flag("--resume");
  const std::string responses_path = args.option("--responses");
  const bool json_out = args.flag("--json");
  const bool no_progress = args.flag("--no-progress");
  const bool think = args.flag("--think"), no_think = args.flag("--no-think");
  eval::RunOptions run;
  run.parallel = static_cast<int>(args.int_option("--parallel", 4));
  run.max_gen_tokens = static_cast<int>(args.int_option("--max-gen-toks", 0));
  // Sampling only when asked for, or for several samples per problem (the harness's T 0.2, top-p 0.95).
  const double default_temp = task_options.samples > 1 ? 0.2 : 0.0;
  run.sampler.temperature = static_cast<float>(args.float_option("--temp", default_temp));
  run.sampler.top_p = static_cast<float>(args.float_option("--top-p", task_options.samples > 1 ? 0.95 : 1.0));
  run.sampler.seed = static_cast<uint64_t>(seed);
  if (think || no_think) run.thinking = think;
  run.bos = eval::parse_bos_policy(args.option("--bos", "auto"));
  run.show_progress = !no_progress;
  LoadOptions load = parse_load_options(args);
  const auto positionals = args.positionals();

  if (task_name.empty()) throw Error(std::string("--task is required\n") + kUsage);
  if (positionals.size() > 1 || (positionals.empty() && responses_path.empty())) throw Error(kUsage);
  if (resume && out_path.empty()) throw Error("--resume continues the file given by --out");
  if (run.parallel < 1) throw Error("--parallel must be >= 1");
  if (task_options.samples < 1) throw Error("--samples must be >= 1");
  if (task_options.samples > 1 && task_name != "humaneval") throw Error("--samples applies to humaneval only");

  const auto t0 = std::chrono::steady_clock::now();
  auto task = eval::make_task(task_name, task_options);
  eval::ResultsStore store(out_path, resume, task->name(), task->variant());
  if (store.resumed() > 0)
    std::fprintf(stderr, "resuming %s: %zu of %zu documents already scored\n", out_path.c_str(), store.resumed(),
                 task->docs().size());

  eval::ReportContext report;
  report.task = task->name();
  report.variant = task->variant();
  report.protocol = task->protocol();
  // Settings that change the numbers go next to them.
  if (run.thinking) report.protocol += *run.thinking ? ", thinking on" : ", thinking off";
  if (run.bos != eval::BosPolicy::tokenizer) report.protocol += ", BOS " + eval::bos_policy_name(run.bos);
  if (run.max_gen_tokens > 0) report.protocol += ", at most " + std::to_string(run.max_gen_tokens) + " new tokens";
  if (task_options.limit > 0) report.protocol += ", first " + std::to_string(task_options.limit) +
                                                 (task->name() == "mmlu_pro" ? " per category" : "");
  if (task_options.samples > 1 || run.sampler.temperature > 0)
    report.protocol += ", T " + std::to_string(run.sampler.temperature).substr(0, 4) + " top-p " +
                       std::to_string(run.sampler.top_p).substr(0, 4) + " seed " + std::to_string(seed);
  report.primary_metric = task->primary_metric();
  eval::RunStats stats;
  if (!responses_path.empty()) {
    report.model = positionals.empty() ? "(responses file " + responses_path + ")" : positionals[0];
    report.dtype = "n/a";
    stats = eval::run_with_responses(*task, eval::read_responses(responses_path), store, run.parallel, run.show_progress);
  } else {
    auto engine = Engine::load(positionals[0], load);
    report.model = positionals[0];
    report.dtype = describe_dtypes(*engine);
    stats = eval::run_with_model(*engine, *task, store, run);
    if (stats.scored > 0)
      std::fprintf(stderr,
                   "%zu documents in %.2f s (%.2f docs/s); prompt tokens %lld prefilled + %lld reused from cache, "
                   "%lld generated (%.1f tok/s)\n",
                   stats.scored, stats.seconds, stats.scored / std::max(stats.seconds, 1e-9),
                   static_cast<long long>(stats.prompt_tokens), static_cast<long long>(stats.reused_prompt_tokens),
                   static_cast<long long>(stats.generated_tokens),
                   stats.generated_tokens / std::max(stats.seconds, 1e-9));
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  report.warnings = task->warnings();
  const auto summary = eval::summarise(store.records());
  if (json_out) {
    auto j = eval::summary_json(report, summary);
    j["scored_this_run"] = stats.scored;
    j["resumed"] = store.resumed();
    j["docs_per_second"] = stats.scored / std::max(stats.seconds, 1e-9);
    j["tokens"] = {{"prompt_prefilled", stats.prompt_tokens},
                   {"prompt_reused", stats.reused_prompt_tokens},
                   {"generated", stats.generated_tokens}};
    j["parallel"] = run.parallel;
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::fputs(eval::format_table(report, summary).c_str(), stdout);
  }
  return 0;
}

CommandRegistration reg("eval", "benchmark a model: gsm8k, arc_challenge, mmlu_pro, humaneval", eval_main);

}  // namespace
}  // namespace slm::cli
