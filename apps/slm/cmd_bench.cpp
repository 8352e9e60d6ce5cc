// slm bench MODEL [-p 512] [-n 128] [--threads K] [--reps R] [--json] [--quant SCHEME] [--mmap]
// Prompt processing (one batch of -p tokens) and generation (-n single-token steps), median of reps.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

#include "args.h"
#include "load_options.h"
#include "base/memory_bandwidth.h"
#include "base/memory_usage.h"
#include "command.h"
#include "hub/resolver.h"
#include "engine/engine.h"

namespace slm::cli {
namespace {

// The weights one generated token reads: all of them, except embedding tables that are only
// looked up by row (the token embedding unless it doubles as the output matrix).
std::vector<std::span<const uint8_t>> weights_read_per_token(const WeightStore& w) {
  std::vector<std::span<const uint8_t>> regions;
  const bool tied = !w.has("output.weight");
  for (const auto& name : w.names()) {
    if (name == "per_layer_token_embd.weight" || (name == "token_embd.weight" && !tied)) continue;
    const Tensor* t = w.find(name);
    regions.emplace_back(static_cast<const uint8_t*>(t->data), t->nbytes());
  }
  return regions;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int bench_main(const std::vector<std::string>& argv) {
  Args args(argv);
  const long long n_prompt = args.int_option("-p", 512);
  const long long n_gen = args.int_option("-n", 128);
  const long long reps = args.int_option("--reps", 3);
  LoadOptions load = parse_load_options(args);
  load.quant = args.option("--quant");
  const bool json_out = args.flag("--json");
  auto pos = args.positionals();
  if (pos.size() != 1) throw Error("usage: slm bench MODEL [-p 512] [-n 128] [--threads K] [--reps R] [--json] [--quant SCHEME] [--mmap]");
  if (n_prompt < 1 || n_gen < 0 || reps < 1) throw Error("-p must be >= 1, -n >= 0, --reps >= 1");

  auto engine = Engine::load(resolve_model_path(pos[0]), load);
  const ModelConfig& c = engine->config();
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int32_t> pick(0, static_cast<int32_t>(c.vocab_size - 1));
  std::vector<int32_t> prompt(n_prompt);
  for (auto& id : prompt) id = pick(rng);

  KVCache cache(c, n_prompt + n_gen, engine->kv_cache_options());
  ForwardScratch scratch;
  nlohmann::json rep_rows = nlohmann::json::array();
  std::vector<double> pp, tg;
  for (long long r = 0; r < reps; ++r) {
    cache.rollback(0);
    auto t0 = std::chrono::steady_clock::now();
    engine->model().forward(prompt, cache, scratch, engine->pool(), false);
    const double pp_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    int32_t next = argmax(std::span<const float>(scratch.logits.data(), c.vocab_size));
    t0 = std::chrono::steady_clock::now();
    for (long long i = 0; i < n_gen; ++i) {
      const int32_t tok[1] = {next};
      engine->model().forward(tok, cache, scratch, engine->pool(), false);
      next = argmax(std::span<const float>(scratch.logits.data(), c.vocab_size));
    }
    const double tg_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    pp.push_back(n_prompt / pp_s);
    tg.push_back(n_gen > 0 ? n_gen / tg_s : 0.0);
    rep_rows.push_back({{"pp_tok_s", pp.back()}, {"tg_tok_s", tg.back()}});
  }
  // Generation cannot beat (bytes read per token) / (read bandwidth): how close it comes.
  const auto regions = weights_read_per_token(engine->model().files().weights);
  double bytes_per_token = 0;
  for (const auto& r : regions) bytes_per_token += static_cast<double>(r.size());
  const double bandwidth = measure_read_bandwidth(regions, engine->pool());
  const double bound = bandwidth / bytes_per_token;
  nlohmann::json out = {{"model", pos[0]}, {"threads", engine->pool().size()}, {"n_prompt", n_prompt},
                        {"n_gen", n_gen}, {"pp_tok_s", median(pp)}, {"tg_tok_s", median(tg)},
                        {"load_s", engine->load_seconds()}, {"peak_rss_mb", peak_rss_mb()},
                        {"weights_mb_per_token", bytes_per_token / 1e6}, {"read_gb_s", bandwidth / 1e9},
                        {"tg_bound_tok_s", bound}, {"tg_fraction_of_bound", median(tg) / bound}, {"reps", rep_rows}};
  if (json_out) {
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::printf("model %s, %d threads\n", pos[0].c_str(), engine->pool().size());
    std::printf("pp%lld: %.2f tok/s   tg%lld: %.2f tok/s   load %.3f s   peak RSS %.1f MiB   (median of %lld)\n",
                n_prompt, median(pp), n_gen, median(tg), engine->load_seconds(), peak_rss_mb(), reps);
    std::printf("generation bound: %.0f MB of weights per token at %.1f GB/s read = %.1f tok/s; tg is %.0f%% of it\n",
                bytes_per_token / 1e6, bandwidth / 1e9, bound, 100 * median(tg) / bound);
  }
  return 0;
}

CommandRegistration reg("bench", "measure prompt and generation speed", bench_main);

}  // namespace
}  // namespace slm::cli
