// `slm pull` against the mock Hub: cache layout, no repeated downloads, resume, integrity, errors.
#include <filesystem>
#include <fstream>
#include <thread>
#include <nlohmann/json.hpp>

#include "hub_fixture.h"

namespace fs = std::filesystem;

namespace slm::test {
namespace {

using HubPull = HubTest;

TEST_F(HubPull, IntoEmptyCacheWritesTheHuggingfaceHubLayout) {
  auto r = slm("pull test-org/tiny-qwen3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string root = repo_dir("models--test-org--tiny-qwen3");
  const std::string snap = root + "/snapshots/" + kCommit;
  EXPECT_EQ(r.out, snap + "\n");
  EXPECT_EQ(read_file(root + "/refs/main"), kCommit);  // bare hash, no newline

  const auto& files = hub_->repo("test-org/tiny-qwen3").files;
  std::vector<std::string> expected = {"config.json", "generation_config.json", "model.safetensors",
                                       "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json"};
  std::vector<std::string> snapshot;
  for (const auto& e : fs::recursive_directory_iterator(snap)) snapshot.push_back(e.path().lexically_relative(snap).string());
  std::sort(snapshot.begin(), snapshot.end());
  EXPECT_EQ(snapshot, expected);
  std::vector<std::string> blobs;
  for (const auto& e : fs::directory_iterator(root + "/blobs")) blobs.push_back(e.path().filename().string());
  EXPECT_EQ(blobs.size(), expected.size());
  for (const auto& name : expected) {
    const auto& f = files.at(name);
    const fs::path link = snap + "/" + name;
    ASSERT_TRUE(fs::is_symlink(link)) << name;
    EXPECT_EQ(fs::read_symlink(link).string(), "../../blobs/" + f.etag) << name;  // relative
    EXPECT_EQ(read_file(root + "/blobs/" + f.etag), f.content) << name;
  }
  // LFS blobs are named by their sha256 (X-Linked-Etag), not by the pointer's ETag.
  EXPECT_EQ(files.at("model.safetensors").etag, sha256_hex(files.at("model.safetensors").content));
  EXPECT_TRUE(fs::exists(cache_ + "/.locks/models--test-org--tiny-qwen3"));
  for (const auto& e : fs::recursive_directory_iterator(root))
    EXPECT_EQ(e.path().string().find(".incomplete"), std::string::npos) << e.path();
  // Nothing the model does not need was requested.
  for (const auto& req : hub_->requests())
    for (const char* skip : {"README.md", "pytorch_model.bin", "onnx", "original"})
      EXPECT_EQ(req.path.find(skip), std::string::npos) << req.path;
}

TEST_F(HubPull, SecondPullDownloadsNothing) {
  ASSERT_EQ(slm("pull test-org/tiny-qwen3").exit_code, 0);
  EXPECT_EQ(hub_->content_gets(), 7);  // 5 small files + resolve and CDN GETs of the safetensors
  hub_->clear_requests();
  auto r = slm("pull test-org/tiny-qwen3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(hub_->content_gets(), 0);
  for (const auto& req : hub_->requests()) {
    if (req.path.rfind("/api/", 0) == 0) continue;
    EXPECT_EQ(req.method, "HEAD") << req.path << " (only the file list and HEADs)";
  }
}

TEST_F(HubPull, InterruptedDownloadResumesWithRange) {
  const auto& f = hub_->repo("test-org/tiny-qwen3").files.at("model.safetensors");
  hub_->drop_once("test-org/tiny-qwen3", "model.safetensors", 100000);
  auto r = slm("pull test-org/tiny-qwen3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> ranges;
  for (const auto& req : hub_->requests())
    if (req.method == "GET" && req.path == "/cdn/" + f.etag) ranges.push_back(req.range);
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0], "");
  EXPECT_EQ(ranges[1], "bytes=100000-");
  EXPECT_EQ(read_file(repo_dir("models--test-org--tiny-qwen3") + "/blobs/" + f.etag), f.content);
}

TEST_F(HubPull, LeftoverIncompleteFileIsResumed) {
  const auto& f = hub_->repo("test-org/tiny-qwen3").files.at("model.safetensors");
  const std::string blobs = repo_dir("models--test-org--tiny-qwen3") + "/blobs";
  fs::create_directories(blobs);
  { std::ofstream(blobs + "/" + f.etag + ".incomplete", std::ios::binary) << f.content.substr(0, 5000); }
  ASSERT_EQ(slm("pull test-org/tiny-qwen3").exit_code, 0);
  bool saw_range = false;
  for (const auto& req : hub_->requests()) saw_range |= req.range == "bytes=5000-";
  EXPECT_TRUE(saw_range);
  EXPECT_EQ(read_file(blobs + "/" + f.etag), f.content);
  EXPECT_FALSE(fs::exists(blobs + "/" + f.etag + ".incomplete"));
}

TEST_F(HubPull, CorruptDownloadIsDetectedAndFetchedAgain) {
  const auto& f = hub_->repo("test-org/tiny-qwen3").files.at("model.safetensors");
  hub_->corrupt("test-org/tiny-qwen3", "model.safetensors", 1);
  auto r = slm("pull test-org/tiny-qwen3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("corrupt"), std::string::npos) << r.err;
  int gets = 0;
  for (const auto& req : hub_->requests()) gets += req.method == "GET" && req.path == "/cdn/" + f.etag;
  EXPECT_EQ(gets, 2);
  EXPECT_EQ(sha256_hex(read_file(repo_dir("models--test-org--tiny-qwen3") + "/blobs/" + f.etag)), f.etag);
}

TEST_F(HubPull, CorruptTwiceIsAnError) {
  const auto& f = hub_->repo("test-org/tiny-qwen3").files.at("model.safetensors");
  hub_->corrupt("test-org/tiny-qwen3", "model.safetensors", 5);
  auto r = slm("pull test-org/tiny-qwen3");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("corrupt twice"), std::string::npos) << r.err;
  const std::string blob = repo_dir("models--test-org--tiny-qwen3") + "/blobs/" + f.etag;
  EXPECT_FALSE(fs::exists(blob));
  EXPECT_FALSE(fs::exists(blob + ".incomplete"));
}

TEST_F(HubPull, HttpErrorsAreExplained) {
  hub_->repo("test-org/tiny-qwen3").fail_status = 500;
  auto r = slm("pull test-org/tiny-qwen3");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("HTTP 500"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("try again later"), std::string::npos) << r.err;

  hub_->repo("test-org/tiny-qwen3").fail_status = 404;
  r = slm("pull test-org/tiny-qwen3");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("repository or file not found"), std::string::npos) << r.err;

  hub_->repo("test-org/tiny-qwen3").fail_status = 401;
  r = slm("pull test-org/tiny-qwen3");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("HTTP 401"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("HF_TOKEN"), std::string::npos) << r.err;

  r = slm("pull test-org/does-not-exist");  // the Hub answers 401 for unknown repos
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("test-org/does-not-exist"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(repo_dir("models--test-org--does-not-exist") + "/snapshots"));
}

TEST_F(HubPull, TransientServerErrorIsRetried) {
  hub_->repo("test-org/tiny-qwen3").fail_status = 503;
  hub_->repo("test-org/tiny-qwen3").fail_remaining = 1;
  auto r = slm("pull test-org/tiny-qwen3");
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(HubPull, UnreachableEndpointFailsFast) {
  auto r = run_cli_env(env() + " HF_ENDPOINT=http://127.0.0.1:1", "pull test-org/tiny-qwen3");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot reach"), std::string::npos) << r.err;
}

TEST_F(HubPull, GatedRepositoryNeedsAToken) {
  hub_->repo("test-org/tiny-qwen3").required_token = "hf_good";
  auto r = slm("pull test-org/tiny-qwen3");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("accept its license"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(hub_->endpoint() + "/test-org/tiny-qwen3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("HF_TOKEN"), std::string::npos) << r.err;

  r = slm("pull test-org/tiny-qwen3", "HF_TOKEN=hf_wrong");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("token"), std::string::npos) << r.err;

  r = slm("pull test-org/tiny-qwen3", "HF_TOKEN=hf_good");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  int authorized = 0;
  for (const auto& req : hub_->requests()) authorized += req.authorization == "Bearer hf_good";
  EXPECT_GT(authorized, 0);

  fs::remove_all(cache_);
  r = slm("pull test-org/tiny-qwen3 --token hf_good");
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(HubPull, TokenIsNotSentToTheCdn) {
  MockHub cdn;  // another port: another origin
  cdn.add_repo("test-org/tiny-qwen3", kCommit,
               {{"model.safetensors", hub_->repo("test-org/tiny-qwen3").files.at("model.safetensors").content}});
  hub_->set_cdn(cdn.endpoint());
  hub_->repo("test-org/tiny-qwen3").required_token = "hf_good";
  auto r = slm("pull test-org/tiny-qwen3", "HF_TOKEN=hf_good");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_FALSE(cdn.requests().empty());
  for (const auto& req : cdn.requests()) EXPECT_EQ(req.authorization, "") << req.path;
  for (const auto& req : hub_->requests()) EXPECT_EQ(req.authorization, "Bearer hf_good") << req.path;
}

TEST_F(HubPull, TokenFileFromHfHomeIsUsed) {
  hub_->repo("test-org/tiny-qwen3").required_token = "hf_file";
  { std::ofstream(home_ + "/token") << "hf_file\n"; }
  auto r = slm("pull test-org/tiny-qwen3");
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(HubPull, GgufQuantizationPicksTheRightFile) {
  auto r = slm("pull test-org/tiny-GGUF:Q8_0");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string snap = repo_dir("models--test-org--tiny-GGUF") + "/snapshots/" + kGgufCommit;
  EXPECT_EQ(r.out, snap + "/tiny-Q8_0.gguf\n");
  std::vector<std::string> got;
  for (const auto& e : fs::recursive_directory_iterator(snap))
    if (!e.is_directory()) got.push_back(e.path().lexically_relative(snap).string());
  EXPECT_EQ(got, std::vector<std::string>{"tiny-Q8_0.gguf"});

  r = slm("pull test-org/tiny-GGUF:q6_k");  // case-insensitive, both parts of a split file
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, snap + "/Q6_K/tiny-Q6_K-00001-of-00002.gguf\n");
  EXPECT_TRUE(fs::is_symlink(snap + "/Q6_K/tiny-Q6_K-00002-of-00002.gguf"));
  EXPECT_EQ(fs::read_symlink(snap + "/Q6_K/tiny-Q6_K-00002-of-00002.gguf").string().substr(0, 15), "../../../blobs/");

  r = slm("pull test-org/tiny-GGUF:Q5_K_M");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("available: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Q4_K_M"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace slm::test

namespace slm::test {
namespace {

TEST_F(HubPull, ShardedCheckpointFetchesTheShardsItsIndexNames) {
  const std::string shard = read_file(fixture("models/tiny-qwen3/model.safetensors"));
  hub_->add_repo("test-org/sharded", kCommit,
                 {{"config.json", read_file(fixture("models/tiny-qwen3/config.json"))},
                  {"model.safetensors.index.json",
                   R"({"metadata": {}, "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}})"},
                  {"model-00001-of-00002.safetensors", shard.substr(0, 1000)},
                  {"model-00002-of-00002.safetensors", shard.substr(1000, 1000)},
                  {"consolidated.safetensors", shard}});
  auto r = slm("pull test-org/sharded");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string snap = repo_dir("models--test-org--sharded") + "/snapshots/" + kCommit;
  EXPECT_TRUE(fs::exists(snap + "/model-00001-of-00002.safetensors"));
  EXPECT_TRUE(fs::exists(snap + "/model-00002-of-00002.safetensors"));
  EXPECT_FALSE(fs::exists(snap + "/consolidated.safetensors"));
  for (const auto& req : hub_->requests()) EXPECT_EQ(req.path.find("consolidated"), std::string::npos) << req.path;
}

TEST_F(HubPull, ConcurrentPullsShareTheCache) {
  CliResult a, b;
  std::thread t1([&] { a = slm("pull test-org/tiny-qwen3 --quiet"); });
  std::thread t2([&] { b = slm("pull test-org/tiny-qwen3 --quiet"); });
  t1.join();
  t2.join();
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(a.out, b.out);
  const auto& f = hub_->repo("test-org/tiny-qwen3").files.at("model.safetensors");
  EXPECT_EQ(read_file(repo_dir("models--test-org--tiny-qwen3") + "/blobs/" + f.etag), f.content);
}

TEST_F(HubPull, OfflinePullOfACachedModelIsANoOp) {
  ASSERT_EQ(slm("pull test-org/tiny-qwen3").exit_code, 0);
  hub_->clear_requests();
  auto r = slm("pull test-org/tiny-qwen3", "HF_HUB_OFFLINE=1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, repo_dir("models--test-org--tiny-qwen3") + "/snapshots/" + kCommit + "\n");
  EXPECT_TRUE(hub_->requests().empty());
}

}  // namespace
}  // namespace slm::test
