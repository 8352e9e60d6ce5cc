#pragma once
// A mock Hub serving the tiny fixture models and a fresh cache directory per test, with a helper
// that runs the CLI against both (nothing else in the environment leaks in).
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "mock_hub.h"
#include "test_support.h"

namespace slm::test {

inline constexpr const char* kCommit = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";
inline constexpr const char* kGgufCommit = "fedcba9876543210fedcba9876543210fedcba98";

class HubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hub_ = std::make_unique<MockHub>();
    home_ = temp_dir("hub-home");
    cache_ = home_ + "/hub";
    const std::string q = fixture("models/tiny-qwen3");
    hub_->add_repo("test-org/tiny-qwen3", kCommit,
                   {{"config.json", read_file(q + "/config.json")},
                    {"generation_config.json", read_file(q + "/generation_config.json")},
                    {"model.safetensors", read_file(q + "/model.safetensors")},
                    {"tokenizer.json", read_file(q + "/tokenizer.json")},
                    {"tokenizer_config.json", read_file(q + "/tokenizer_config.json")},
                    {"special_tokens_map.json", read_file(q + "/special_tokens_map.json")},
                    // Files a model does not need: never downloaded.
                    {"README.md", "# tiny"},
                    {"pytorch_model.bin", "not needed"},
                    {"onnx/model.onnx", "not needed"},
                    {"original/consolidated.00.pth", "not needed"}});
    const std::string stories = read_file(fixture("models/stories260k/model.gguf"));
    const std::string other = read_file(q + "/model.gguf");
    hub_->add_repo("test-org/tiny-GGUF", kGgufCommit,
                   {{"README.md", "# gguf"},
                    {"tiny-Q8_0.gguf", stories},
                    {"tiny-UD-Q8_0.gguf", other},
                    {"tiny-Q4_K_M.gguf", other},
                    {"Q6_K/tiny-Q6_K-00001-of-00002.gguf", other.substr(0, other.size() / 2)},
                    {"Q6_K/tiny-Q6_K-00002-of-00002.gguf", other.substr(other.size() / 2)},
                    {"mmproj-tiny-F16.gguf", "projector"}});
  }
  void TearDown() override { std::filesystem::remove_all(home_); }

  std::string env(const std::string& extra = "") const {
    return "-u HF_TOKEN -u HF_HUB_OFFLINE -u HUGGINGFACE_HUB_CACHE -u HF_TOKEN_PATH -u XDG_CACHE_HOME "
           "SLM_HUB_STALL_SECONDS=10 HF_HOME=" + shell_quote(home_) + " HF_HUB_CACHE=" + shell_quote(cache_) +
           " HF_ENDPOINT=" + hub_->endpoint() + (extra.empty() ? "" : " " + extra);
  }
  CliResult slm(const std::string& args, const std::string& extra_env = "") { return run_cli_env(env(extra_env), args); }
  std::string repo_dir(const std::string& folder) const { return cache_ + "/" + folder; }

  std::unique_ptr<MockHub> hub_;
  std::string home_, cache_;
};

}  // namespace slm::test
