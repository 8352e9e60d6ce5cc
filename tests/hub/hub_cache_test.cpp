// Using the cache: run/info from Hub ids, a cache written by huggingface_hub's rules by hand,
// offline mode, and list/rm.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hub_fixture.h"

namespace fs = std::filesystem;

namespace slm::test {
namespace {

using HubCache = HubTest;

const char* kRunArgs = " --ids 1,2,3 -n 4 --temp 0 --json";

std::vector<int> generated_ids(const CliResult& r) {
  return nlohmann::json::parse(r.out).at("ids").get<std::vector<int>>();
}

TEST_F(HubCache, RunDownloadsThenRunsFromTheCache) {
  const auto direct = run_cli("run " + shell_quote(fixture("models/tiny-qwen3")) + kRunArgs);
  ASSERT_EQ(direct.exit_code, 0) << direct.err;

  auto r = slm(std::string("run test-org/tiny-qwen3") + kRunArgs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(generated_ids(r), generated_ids(direct));
  EXPECT_GT(hub_->content_gets(), 0);

  hub_->clear_requests();
  r = slm(std::string("run test-org/tiny-qwen3") + kRunArgs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(generated_ids(r), generated_ids(direct));
  EXPECT_TRUE(hub_->requests().empty()) << "a complete cached model needs no network";

  r = slm("info test-org/tiny-qwen3 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("architecture"), "Qwen3ForCausalLM");
}

TEST_F(HubCache, OfflineModeUsesTheCacheOnly) {
  auto r = slm(std::string("run test-org/tiny-qwen3") + kRunArgs, "HF_HUB_OFFLINE=1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("HF_HUB_OFFLINE"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not in the Hugging Face cache"), std::string::npos) << r.err;
  EXPECT_TRUE(hub_->requests().empty());

  r = slm("pull test-org/tiny-qwen3", "HF_HUB_OFFLINE=1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("HF_HUB_OFFLINE"), std::string::npos) << r.err;

  ASSERT_EQ(slm("pull test-org/tiny-qwen3").exit_code, 0);
  hub_->clear_requests();
  r = slm(std::string("run test-org/tiny-qwen3") + kRunArgs, "HF_HUB_OFFLINE=1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(hub_->requests().empty());
}

// Lays out a repository exactly as huggingface_hub does, with no help from slm.
void write_hf_cache(const std::string& cache, const std::string& repo_folder, const std::string& commit,
                    const std::string& model_dir, const std::vector<std::string>& files) {
  const std::string root = cache + "/" + repo_folder;
  fs::create_directories(root + "/blobs");
  fs::create_directories(root + "/refs");
  fs::create_directories(root + "/snapshots/" + commit);
  { std::ofstream(root + "/refs/main") << commit; }
  for (const auto& f : files) {
    const std::string content = read_file(model_dir + "/" + f);
    const std::string etag = sha256_hex(content);  // LFS-style name; git-sha names work the same
    { std::ofstream(root + "/blobs/" + etag, std::ios::binary) << content; }
    fs::create_symlink("../../blobs/" + etag, root + "/snapshots/" + commit + "/" + f);
  }
}

TEST_F(HubCache, FindsACacheWrittenByHuggingfaceHub) {
  const std::string q = fixture("models/tiny-qwen3");
  write_hf_cache(cache_, "models--someone--tiny-qwen3", "1111111111111111111111111111111111111111", q,
                 {"config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
                  "tokenizer_config.json", "special_tokens_map.json"});
  const auto direct = run_cli("run " + shell_quote(q) + kRunArgs);
  ASSERT_EQ(direct.exit_code, 0) << direct.err;
  // An endpoint that cannot answer: the cache alone must do.
  auto r = run_cli_env(env("HF_ENDPOINT=http://127.0.0.1:1"), std::string("run someone/tiny-qwen3") + kRunArgs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(generated_ids(r), generated_ids(direct));
  // A pinned commit resolves without refs.
  r = run_cli_env(env("HF_HUB_OFFLINE=1"),
                  std::string("run someone/tiny-qwen3@1111111111111111111111111111111111111111") + kRunArgs);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(HubCache, IncompleteSnapshotIsNotUsed) {
  const std::string q = fixture("models/tiny-qwen3");
  write_hf_cache(cache_, "models--someone--tiny-qwen3", "2222222222222222222222222222222222222222", q,
                 {"config.json"});  // transformers fetched the config only
  auto r = run_cli_env(env("HF_HUB_OFFLINE=1"), std::string("run someone/tiny-qwen3") + kRunArgs);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not in the Hugging Face cache"), std::string::npos) << r.err;
}

TEST_F(HubCache, RunsAGgufQuantization) {
  const auto direct = run_cli("run " + shell_quote(fixture("models/stories260k/model.gguf")) + kRunArgs);
  ASSERT_EQ(direct.exit_code, 0) << direct.err;
  auto r = slm(std::string("run test-org/tiny-GGUF:Q8_0") + kRunArgs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(generated_ids(r), generated_ids(direct));
  hub_->clear_requests();
  r = slm(std::string("run test-org/tiny-GGUF:q8_0") + kRunArgs, "HF_HUB_OFFLINE=1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(HubCache, ListAndRemove) {
  auto r = slm("list");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("no models"), std::string::npos);

  ASSERT_EQ(slm("pull test-org/tiny-qwen3 --quiet").exit_code, 0);
  ASSERT_EQ(slm("pull test-org/tiny-GGUF:Q8_0 --quiet").exit_code, 0);
  ASSERT_EQ(slm("pull test-org/tiny-GGUF:Q4_K_M --quiet").exit_code, 0);
  r = slm("list --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.at("models").size(), 2u);
  const auto& gguf = j["models"][0];
  EXPECT_EQ(gguf["id"], "test-org/tiny-GGUF");
  EXPECT_EQ(gguf["formats"], nlohmann::json::array({"gguf"}));
  EXPECT_EQ(gguf["quantizations"], nlohmann::json::array({"Q4_K_M", "Q8_0"}));
  const auto& hf = j["models"][1];
  EXPECT_EQ(hf["id"], "test-org/tiny-qwen3");
  EXPECT_EQ(hf["formats"], nlohmann::json::array({"safetensors"}));
  EXPECT_EQ(hf["size_bytes"].get<uint64_t>(), fs::file_size(fixture("models/tiny-qwen3/model.safetensors")) +
                                                  fs::file_size(fixture("models/tiny-qwen3/config.json")) +
                                                  fs::file_size(fixture("models/tiny-qwen3/generation_config.json")) +
                                                  fs::file_size(fixture("models/tiny-qwen3/tokenizer.json")) +
                                                  fs::file_size(fixture("models/tiny-qwen3/tokenizer_config.json")) +
                                                  fs::file_size(fixture("models/tiny-qwen3/special_tokens_map.json")));
  r = slm("list");
  EXPECT_NE(r.out.find("test-org/tiny-GGUF"), std::string::npos);
  EXPECT_NE(r.out.find("Q4_K_M,Q8_0"), std::string::npos) << r.out;

  r = slm("rm test-org/tiny-GGUF:Q8_0");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string snap = repo_dir("models--test-org--tiny-GGUF") + "/snapshots/" + kGgufCommit;
  EXPECT_FALSE(fs::exists(snap + "/tiny-Q8_0.gguf"));
  EXPECT_TRUE(fs::exists(snap + "/tiny-Q4_K_M.gguf"));

  r = slm("rm test-org/tiny-qwen3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(repo_dir("models--test-org--tiny-qwen3")));
  r = slm("rm test-org/tiny-qwen3");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not in the cache"), std::string::npos);
}

}  // namespace
}  // namespace slm::test
