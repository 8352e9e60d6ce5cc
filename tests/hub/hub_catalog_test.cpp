// The built-in catalog: embedded, well formed, covering the seed models, reachable from the CLI.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "hub/catalog.h"
#include "hub/model_ref.h"
#include "test_support.h"

namespace slm::test {
namespace {

TEST(HubCatalog, CoversTheSeedModels) {
  const auto& c = hub::catalog();
  std::set<std::string> ids;
  for (const auto& e : c) {
    EXPECT_TRUE(hub::is_valid_repo_id(e.hf_id)) << e.hf_id;
    if (!e.gguf_id.empty()) {
      EXPECT_TRUE(hub::is_valid_repo_id(e.gguf_id)) << e.gguf_id;
    }
    EXPECT_GT(e.context, 0) << e.name;
    EXPECT_FALSE(e.license.empty()) << e.name;
    EXPECT_FALSE(e.best_for.empty()) << e.name;
    ids.insert(e.hf_id);
  }
  for (const char* id : {"Qwen/Qwen3.5-0.8B", "Qwen/Qwen3.5-2B", "Qwen/Qwen3.5-4B", "Qwen/Qwen3.5-9B",
                         "microsoft/Phi-4-mini-instruct", "google/gemma-3-4b-it", "google/gemma-3-270m-it",
                         "google/gemma-3n-E4B-it", "google/gemma-3n-E2B-it", "meta-llama/Llama-3.2-3B-Instruct",
                         "HuggingFaceTB/SmolLM3-3B", "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", "Qwen/Qwen3-0.6B",
                         "Qwen/Qwen3-4B-Instruct-2507", "janhq/Jan-v1-4B"})
    EXPECT_TRUE(ids.count(id)) << id;
  EXPECT_EQ(hub::find_catalog_entry("QWEN3-0.6B"), hub::find_catalog_entry("Qwen/Qwen3-0.6B"));
  ASSERT_NE(hub::find_catalog_entry_by_gguf_repo("unsloth/Qwen3-0.6B-GGUF"), nullptr);
  EXPECT_EQ(hub::find_catalog_entry_by_gguf_repo("unsloth/Qwen3-0.6B-GGUF")->hf_id, "Qwen/Qwen3-0.6B");
  EXPECT_EQ(hub::find_catalog_entry("no-such-model"), nullptr);
  EXPECT_TRUE(hub::find_catalog_entry("google/gemma-3-4b-it")->gated);
  EXPECT_FALSE(hub::find_catalog_entry("Qwen/Qwen3-0.6B")->gated);
}

TEST(HubCatalog, Cli) {
  auto r = run_cli("models");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("microsoft/Phi-4-mini-instruct"), std::string::npos);
  r = run_cli("models --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).size(), hub::catalog().size());
  r = run_cli("models smollm3-3b");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("slm pull HuggingFaceTB/SmolLM3-3B"), std::string::npos) << r.out;
  r = run_cli("models nope");
  EXPECT_EQ(r.exit_code, 1);
}

}  // namespace
}  // namespace slm::test
