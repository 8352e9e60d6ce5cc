// End-to-end generation: stories260k's llama2.c reference runs, thread-count independence,
// KV-cache prefix reuse, and the `slm run` JSON contract.
#include <gtest/gtest.h>

#include <filesystem>

#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "test_support.h"

namespace slm {
namespace {

using nlohmann::json;

std::vector<json> read_jsonl(const std::string& path) {
  std::ifstream in(path);
  std::vector<json> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

GenerateOptions greedy(int n) {
  GenerateOptions o;
  o.max_tokens = n;
  o.sampler.temperature = 0;
  o.stop_at_eos = false;
  return o;
}

class Stories260k : public testing::TestWithParam<std::string> {};

TEST_P(Stories260k, GreedyMatchesLlama2c) {
  const std::string dir = test::fixture("models/stories260k");
  auto cases = read_jsonl(dir + "/expected.jsonl");
  ASSERT_FALSE(cases.empty());
  LoadOptions lo;
  lo.threads = 1;
  auto engine = Engine::load(GetParam().empty() ? dir : dir + "/" + GetParam(), lo);
  for (const auto& c : cases) {
    const auto prompt = c["prompt_ids"].get<std::vector<int32_t>>();
    const auto expected = c["greedy_ids"].get<std::vector<int32_t>>();
    Session session(*engine, 512);
    auto r = session.generate(prompt, greedy(static_cast<int>(expected.size())));
    EXPECT_EQ(r.ids, expected) << c["prompt"];
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, Stories260k, testing::Values("", "model.gguf"),
                         [](const auto& info) { return info.param.empty() ? "hf" : "gguf"; });

TEST(Generation, SameGreedyOutputForOneAndTwoThreads) {
  for (const char* model : {"models/tiny-qwen3", "models/stories260k/model.gguf", "models/tiny-llama3"}) {
    std::vector<int32_t> outputs[2];
    for (int threads : {1, 2}) {
      LoadOptions lo;
      lo.threads = threads;
      auto engine = Engine::load(test::fixture(model), lo);
      Session session(*engine, 256);
      const std::vector<int32_t> prompt = {1, 5, 9, 200, 33, 7, 64, 81};
      outputs[threads - 1] = session.generate(prompt, greedy(40)).ids;
    }
    EXPECT_EQ(outputs[0], outputs[1]) << model;
    EXPECT_EQ(outputs[0].size(), 40u);
  }
}

TEST(Generation, FollowUpReusesTheCachedPrefix) {
  auto engine = Engine::load(test::fixture("models/stories260k"));
  Session session(*engine, 512);
  std::vector<int32_t> turn1 = {1, 403, 407, 261, 378};
  auto r1 = session.generate(turn1, greedy(10));
  EXPECT_EQ(r1.prompt_tokens_reused, 0);
  EXPECT_EQ(r1.prompt_tokens_processed, 5);

  // The next prompt extends the first one and its answer: only the new tokens are processed.
  std::vector<int32_t> turn2 = turn1;
  turn2.insert(turn2.end(), r1.ids.begin(), r1.ids.end());
  turn2.insert(turn2.end(), {261, 378, 300});
  auto r2 = session.generate(turn2, greedy(10));
  EXPECT_EQ(r2.prompt_tokens_reused, 5 + 9);  // the last answer token never entered the cache
  EXPECT_EQ(r2.prompt_tokens_processed, 1 + 3);

  // Reuse gives exactly what a fresh session computes.
  Session fresh(*engine, 512);
  EXPECT_EQ(fresh.generate(turn2, greedy(10)).ids, r2.ids);
}

TEST(Generation, StopsAtEosAndAtContextEnd) {
  auto engine = Engine::load(test::fixture("models/stories260k"));
  Session small(*engine, 8);
  auto r = small.generate(std::vector<int32_t>{1, 403, 407, 261, 378}, greedy(100));
  EXPECT_EQ(r.finish_reason, "length");
  EXPECT_EQ(r.ids.size(), 4u);  // 5 prompt positions + 3 decoded = 8, plus the last sampled token
}

// An f32 KV cache is exact; the default f16 cache keeps 11 significant bits of each key and
// value, which moves this tiny random model's logits by up to ~0.02 (greedy tokens unchanged).
TEST(RunCommand, JsonShapeAndDumpedLogitsMatchTheReference) {
  const std::string dir = test::fixture("models/tiny-llama3");
  std::ifstream in(dir + "/reference.json");
  json ref = json::parse(in);
  std::string ids;
  for (auto id : ref["prompt_ids"]) ids += (ids.empty() ? "" : ",") + std::to_string(id.get<int>());
  for (const auto& [kv_flag, tolerance] : {std::pair{" --kv-type f32", 1e-3}, std::pair{"", 0.05}}) {
    auto r = test::run_cli("run " + dir + "/model.gguf --ids " + ids +
                           " -n 32 --temp 0 --ignore-eos --json --dump-logits" + kv_flag);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    json out = json::parse(r.out);
    EXPECT_EQ(out["prompt_ids"], ref["prompt_ids"]);
    EXPECT_EQ(out["ids"], ref["greedy_ids"]) << kv_flag;
    EXPECT_EQ(out["finish_reason"], "length");
    EXPECT_TRUE(out["text"].is_string());
    EXPECT_TRUE(out["timings"].contains("prompt_tok_s"));
    ASSERT_EQ(out["logits"].size(), ref["logits"].size());
    double max_diff = 0;
    for (size_t t = 0; t < ref["logits"].size(); ++t)
      for (size_t v = 0; v < ref["logits"][t].size(); ++v)
        max_diff = std::max(max_diff, std::abs(out["logits"][t][v].get<double>() - ref["logits"][t][v].get<double>()));
    EXPECT_LE(max_diff, tolerance) << kv_flag;
  }
}

TEST(RunCommand, RejectsBadArguments) {
  const std::string model = test::fixture("models/stories260k");
  EXPECT_EQ(test::run_cli("run " + model).exit_code, 1);  // neither -p nor --ids
  auto r = test::run_cli("run " + model + " --ids 1,x,3");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("invalid token id 'x'"), std::string::npos) << r.err;
  r = test::run_cli("run " + model + " --ids 1 --temp hot");
  EXPECT_NE(r.err.find("--temp: not a number"), std::string::npos) << r.err;
  EXPECT_EQ(test::run_cli("frobnicate").exit_code, 2);
}

TEST(InfoCommand, ReportsArchitectureSizeAndMemory) {
  auto r = test::run_cli("info " + test::fixture("models/tiny-qwen2") + " --ctx 1000 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["family"], "qwen2");
  EXPECT_EQ(j["architecture"], "Qwen2ForCausalLM");
  EXPECT_EQ(j["dtypes"].begin().key(), "BF16");
  // 2 layers x 2 (K and V) x 1000 positions x 2 kv heads x 16 dims x 2 bytes (f16, the default)
  EXPECT_EQ(j["memory"]["kv_cache_bytes"], 2 * 2 * 1000 * 2 * 16 * 2);
  EXPECT_EQ(j["memory"]["kv_cache_type"], "f16");
  EXPECT_EQ(j["memory"]["weights_bytes"].get<int64_t>() + j["memory"]["kv_cache_bytes"].get<int64_t>(),
            j["memory"]["total_bytes"].get<int64_t>());
  EXPECT_GT(j["parameters"].get<int64_t>(), 100000);

  r = test::run_cli("info " + test::fixture("models/tiny-qwen2") + " --ctx 1000 --kv-type f32 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["memory"]["kv_cache_bytes"], 2 * 2 * 1000 * 2 * 16 * 4);
  r = test::run_cli("info " + test::fixture("models/tiny-qwen2") + " --kv-type q4");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--kv-type"), std::string::npos) << r.err;
}

TEST(BenchCommand, PrintsTheJsonFiguresScriptsReadOnly) {
  auto r = test::run_cli("bench " + test::fixture("models/stories260k") + " -p 16 -n 4 --reps 2 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  for (const char* k : {"pp_tok_s", "tg_tok_s", "load_s", "peak_rss_mb", "read_gb_s", "tg_bound_tok_s"})
    EXPECT_GT(j[k].get<double>(), 0) << k;
  EXPECT_EQ(j["reps"].size(), 2u);
  // stories260k: every tensor is read per token (its output matrix is the tied embedding).
  EXPECT_NEAR(j["weights_mb_per_token"].get<double>() * 1e6, std::filesystem::file_size(test::fixture("models/stories260k/model.safetensors")), 1e5);
  EXPECT_NEAR(j["tg_fraction_of_bound"].get<double>(), j["tg_tok_s"].get<double>() / j["tg_bound_tok_s"].get<double>(), 1e-9);
}

}  // namespace
}  // namespace slm

namespace slm {
namespace {

// From text to text: the prompt is tokenized by the model's tokenizer (directory or GGUF), and the
// generated ids and decoded text equal llama2.c's.
TEST(RunCommand, Stories260kFromTextPrompt) {
  const std::string dir = test::fixture("models/stories260k");
  auto cases = read_jsonl(dir + "/expected.jsonl");
  for (const std::string& model : {dir, dir + "/model.gguf"})
    for (const auto& c : cases) {
      const auto steps = c["steps"].get<int>();
      auto r = test::run_cli("run " + model + " -p " + test::shell_quote(c["prompt"]) + " -n " + std::to_string(steps) +
                             " --temp 0 --json");
      ASSERT_EQ(r.exit_code, 0) << r.err;
      json out = json::parse(r.out);
      EXPECT_EQ(out["prompt_ids"], c["prompt_ids"]) << model;
      EXPECT_EQ(out["ids"], c["greedy_ids"]) << model;
      EXPECT_EQ(c["prompt"].get<std::string>() + out["text"].get<std::string>(), c["text"].get<std::string>());
    }
}

TEST(RunCommand, StreamedTextEqualsTheJsonText) {
  const std::string model = test::fixture("models/stories260k");
  auto streamed = test::run_cli("run " + model + " -p 'The cat' -n 40 --temp 0");
  auto js = test::run_cli("run " + model + " -p 'The cat' -n 40 --temp 0 --json");
  ASSERT_EQ(streamed.exit_code, 0) << streamed.err;
  EXPECT_EQ(streamed.out, json::parse(js.out)["text"].get<std::string>() + "\n");
}

}  // namespace
}  // namespace slm

namespace slm {
namespace {

TEST(InfoCommand, ReportsFamilySpecifics) {
  auto r = test::run_cli("info " + test::fixture("models/tiny-gemma3n") + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json d = json::parse(r.out)["architecture_details"];
  // The per-layer embedding table (496 x 25 x 256) is not part of the per-token compute.
  EXPECT_EQ(d["total_parameters"].get<int64_t>() - d["effective_parameters"].get<int64_t>(), 496 * 25 * 256);
  const std::string features = d["features"].dump();
  for (const char* f : {"sliding window 8 on 20 of 25 layers", "K/V shared: layers 20,21,22,23,24", "AltUp 4 streams",
                        "activation sparsity (Gaussian top-k) on 10 layers", "final logit soft-cap 30"})
    EXPECT_NE(features.find(f), std::string::npos) << f << " in " << features;

  r = test::run_cli("info " + test::fixture("models/tiny-qwen35/model.gguf") + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string q = json::parse(r.out)["architecture_details"]["features"].dump();
  EXPECT_NE(q.find("Gated DeltaNet on 6 of 8 layers"), std::string::npos) << q;
  EXPECT_NE(q.find("partial RoPE: 8 of 32 dims"), std::string::npos) << q;
}

}  // namespace
}  // namespace slm
