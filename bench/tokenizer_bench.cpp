// Single-thread encode throughput (MB/s) for qwen3 and gemma3 on ~1 MB of text:
// "mixed" concatenates every fixture case text (all scripts, code, emoji, whitespace runs),
// "english" the English prose cases; "cold" runs random letter words on a freshly loaded tokenizer
// each iteration, so the word cache never helps. Fixtures: $SLM_FIXTURES or ../shared/fixtures.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "text/tokenizer.h"

namespace {

std::string fixtures() {
  if (const char* env = std::getenv("SLM_FIXTURES")) return env;
  return (std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "shared/fixtures").string();
}

constexpr size_t kTarget = 1 << 20;

std::string build_text(bool english_only) {
  std::ifstream in(fixtures() + "/tokenizers/qwen3/cases.jsonl");
  std::string line, corpus;
  std::set<std::string> seen;
  while (std::getline(in, line)) {
    auto c = nlohmann::json::parse(line);
    std::string text = c["text"], cat = c["category"];
    if (!seen.insert(text).second) continue;
    if (english_only) {
      size_t non_ascii = 0;
      for (char ch : text) non_ascii += static_cast<unsigned char>(ch) >= 0x80;
      if (!(cat == "prose" || cat == "long_doc") || non_ascii * 100 > text.size()) continue;
    }
    corpus += text;
    corpus += "\n";
  }
  if (corpus.empty()) return corpus;
  std::string out;
  while (out.size() < kTarget) out += corpus;
  return out;
}

// Pseudo-random lowercase "words" (fixed seed): nearly every word is new, so this measures the
// merge loop rather than the word cache.
std::string unique_words() {
  std::string out;
  uint64_t x = 88172645463325252ull;
  while (out.size() < kTarget) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    size_t len = 3 + x % 9;
    for (size_t i = 0; i < len; ++i) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      out += static_cast<char>('a' + x % 26);
    }
    out += ' ';
  }
  return out;
}

const slm::Tokenizer& tokenizer(const std::string& name) {
  static std::map<std::string, std::unique_ptr<slm::Tokenizer>> cache;
  auto& t = cache[name];
  if (!t) t = slm::Tokenizer::from_hf_dir(fixtures() + "/tokenizers/" + name);
  return *t;
}

enum class Corpus { English, Mixed };

void BM_Encode(benchmark::State& state, const std::string& name, Corpus corpus) {
  static std::map<Corpus, std::string> texts;
  if (!texts.count(corpus))
    texts[corpus] = build_text(corpus == Corpus::English);
  const std::string& text = texts[corpus];
  const auto& tok = tokenizer(name);
  size_t tokens = 0;
  for (auto _ : state) {
    auto ids = tok.encode(text, false);
    tokens = ids.size();
    benchmark::DoNotOptimize(ids.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["tokens"] = static_cast<double>(tokens);
  state.counters["bytes"] = static_cast<double>(text.size());
}

BENCHMARK_CAPTURE(BM_Encode, qwen3_english, std::string("qwen3"), Corpus::English)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_CAPTURE(BM_Encode, qwen3_mixed, std::string("qwen3"), Corpus::Mixed)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_CAPTURE(BM_Encode, gemma3_english, std::string("gemma3"), Corpus::English)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_CAPTURE(BM_Encode, gemma3_mixed, std::string("gemma3"), Corpus::Mixed)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

void BM_EncodeCold(benchmark::State& state, const std::string& name) {
  const std::string text = unique_words();
  for (auto _ : state) {
    state.PauseTiming();
    auto tok = slm::Tokenizer::from_hf_dir(fixtures() + "/tokenizers/" + name);
    state.ResumeTiming();
    auto ids = tok->encode(text, false);
    benchmark::DoNotOptimize(ids.data());
    state.PauseTiming();
    tok.reset();
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

BENCHMARK_CAPTURE(BM_EncodeCold, qwen3_cold, std::string("qwen3"))->Unit(benchmark::kMillisecond)->Iterations(5);

