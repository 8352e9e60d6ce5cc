// Pure functions of the hub module: references, file choice, etags, cache paths, settings, sha256.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "hub/cache_layout.h"
#include "hub/file_selection.h"
#include "hub/hub_settings.h"
#include "hub/model_ref.h"
#include "hub/sha256.h"
#include "slm/error.h"
#include "test_support.h"

namespace slm::hub {
namespace {

TEST(HubModelRef, ParsesHubIdsAndLocalPaths) {
  auto r = parse_model_ref("Qwen/Qwen3-0.6B");
  EXPECT_FALSE(r.local);
  EXPECT_EQ(r.repo_id, "Qwen/Qwen3-0.6B");
  EXPECT_EQ(r.revision, "main");
  EXPECT_EQ(r.quant, "");

  r = parse_model_ref("unsloth/Qwen3-0.6B-GGUF:Q4_K_M@v1.0");
  EXPECT_EQ(r.repo_id, "unsloth/Qwen3-0.6B-GGUF");
  EXPECT_EQ(r.quant, "Q4_K_M");
  EXPECT_EQ(r.revision, "v1.0");
  EXPECT_EQ(r.display(), "unsloth/Qwen3-0.6B-GGUF:Q4_K_M@v1.0");

  r = parse_model_ref("org/name@0123456789abcdef0123456789abcdef01234567:q8_0");
  EXPECT_EQ(r.revision, "0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(r.quant, "q8_0");

  EXPECT_TRUE(parse_model_ref("./models/x").local);
  EXPECT_TRUE(parse_model_ref("/abs/dir").local);
  EXPECT_TRUE(parse_model_ref("some/file.gguf").local);
  EXPECT_TRUE(parse_model_ref("justaname").local);
  EXPECT_TRUE(parse_model_ref("a/b/c").local);  // not an org/name id
  EXPECT_THROW(parse_model_ref("org/name@"), Error);
  EXPECT_THROW(parse_model_ref("org/name:"), Error);
}

TEST(HubModelRef, ValidRepoIds) {
  EXPECT_TRUE(is_valid_repo_id("meta-llama/Llama-3.2-3B-Instruct"));
  EXPECT_TRUE(is_valid_repo_id("google/gemma-3n-E4B-it"));
  EXPECT_FALSE(is_valid_repo_id("org/na--me"));
  EXPECT_FALSE(is_valid_repo_id("org/-name"));
  EXPECT_FALSE(is_valid_repo_id("org/"));
  EXPECT_FALSE(is_valid_repo_id("org/na me"));
}

TEST(HubCacheLayout, FolderNamesAndEtags) {
  EXPECT_EQ(repo_folder_name("julien-c/EsperBERTo-small"), "models--julien-c--EsperBERTo-small");
  EXPECT_EQ(normalize_etag("\"abc123\""), "abc123");
  EXPECT_EQ(normalize_etag("W/\"abc123\""), "abc123");
  EXPECT_EQ(normalize_etag("abc"), "abc");
  EXPECT_TRUE(is_commit_hash("0123456789abcdef0123456789abcdef01234567"));
  EXPECT_FALSE(is_commit_hash("main"));
  RepoCache c("/c", "org/name");
  EXPECT_EQ(c.blob_path("e1"), "/c/models--org--name/blobs/e1");
  EXPECT_EQ(c.pointer_path("abc", "sub/f.json"), "/c/models--org--name/snapshots/abc/sub/f.json");
  EXPECT_EQ(c.lock_path("e1"), "/c/.locks/models--org--name/e1.lock");
}

TEST(HubFileSelection, TakesOnlyWhatAModelNeeds) {
  const std::vector<std::string> files = {
      ".gitattributes", "README.md", "config.json", "generation_config.json", "merges.txt",
      "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json",
      "pytorch_model.bin", "tf_model.h5", "flax_model.msgpack", "onnx/model.onnx", "original/consolidated.00.pth",
      "original/params.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
      "chat_template.jinja", "vocab.json"};
  EXPECT_EQ(select_hf_files(files),
            (std::vector<std::string>{"chat_template.jinja", "config.json", "generation_config.json",
                                      "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                                      "model.safetensors.index.json", "special_tokens_map.json", "tokenizer.json",
                                      "tokenizer_config.json"}));
  EXPECT_FALSE(is_gguf_repo(files));
}

TEST(HubFileSelection, PicksTheQuantization) {
  const std::vector<std::string> files = {
      "README.md", "Model-Q4_K.gguf", "Model-Q4_K_M.gguf", "Model-UD-Q4_K_M.gguf", "Model-Q8_0.gguf",
      "mmproj-F16.gguf", "Q6_K/Model-Q6_K-00002-of-00002.gguf", "Q6_K/Model-Q6_K-00001-of-00002.gguf",
      "Model-IQ4_XS.gguf"};
  EXPECT_TRUE(is_gguf_repo(files));
  EXPECT_EQ(select_gguf_files(files, "Q8_0", "r"), std::vector<std::string>{"Model-Q8_0.gguf"});
  EXPECT_EQ(select_gguf_files(files, "q4_k_m", "r"), std::vector<std::string>{"Model-Q4_K_M.gguf"});  // shortest
  EXPECT_EQ(select_gguf_files(files, "Q4_K", "r"), std::vector<std::string>{"Model-Q4_K.gguf"});  // whole word
  EXPECT_EQ(select_gguf_files(files, "Q6_K", "r"),
            (std::vector<std::string>{"Q6_K/Model-Q6_K-00001-of-00002.gguf", "Q6_K/Model-Q6_K-00002-of-00002.gguf"}));
  EXPECT_EQ(select_gguf_files(files, "", "r"), std::vector<std::string>{"Model-Q4_K_M.gguf"});  // default
  try {
    select_gguf_files(files, "Q5_K_M", "org/Model-GGUF");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("available: "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Q8_0"), std::string::npos) << e.what();
  }
  // Two equally short candidates: ambiguous, list them.
  EXPECT_THROW(select_gguf_files({"a-Q8_0.gguf", "b-Q8_0.gguf"}, "Q8_0", "r"), Error);
  EXPECT_EQ(gguf_quant_tags(files), (std::vector<std::string>{"IQ4_XS", "Q4_K", "Q4_K_M", "Q6_K", "Q8_0", "UD-Q4_K_M"}));
}

TEST(HubSettings, CacheDirectoryFollowsHuggingfaceHub) {
  const char* vars[] = {"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME", "HF_ENDPOINT", "HF_HUB_OFFLINE"};
  std::vector<std::pair<std::string, std::optional<std::string>>> saved;
  for (auto v : vars) {
    const char* old = std::getenv(v);
    saved.emplace_back(v, old ? std::optional<std::string>(old) : std::nullopt);
    unsetenv(v);
  }
  setenv("HOME", std::getenv("HOME") ? std::getenv("HOME") : "/root", 1);
  const std::string home = std::getenv("HOME");
  EXPECT_EQ(HubSettings::from_env().cache_dir, home + "/.cache/huggingface/hub");
  EXPECT_EQ(HubSettings::from_env().endpoint, "https://huggingface.co");
  setenv("XDG_CACHE_HOME", "/xdg", 1);
  EXPECT_EQ(HubSettings::from_env().cache_dir, "/xdg/huggingface/hub");
  setenv("HF_HOME", "/hfhome", 1);
  EXPECT_EQ(HubSettings::from_env().cache_dir, "/hfhome/hub");
  setenv("HF_HUB_CACHE", "/hubcache", 1);
  EXPECT_EQ(HubSettings::from_env().cache_dir, "/hubcache");
  setenv("HF_ENDPOINT", "http://mirror.local/", 1);
  EXPECT_EQ(HubSettings::from_env().endpoint, "http://mirror.local");
  EXPECT_FALSE(HubSettings::from_env().offline);
  setenv("HF_HUB_OFFLINE", "1", 1);
  EXPECT_TRUE(HubSettings::from_env().offline);
  setenv("HF_HUB_OFFLINE", "0", 1);
  EXPECT_FALSE(HubSettings::from_env().offline);
  for (auto& [name, value] : saved)
    if (value) setenv(name.c_str(), value->c_str(), 1);
    else unsetenv(name.c_str());
}

TEST(HubSha256, KnownVectors) {
  auto hex = [](const std::string& s) {
    Sha256 h;
    h.update(s.data(), s.size());
    return h.hex_digest();
  };
  EXPECT_EQ(hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  Sha256 h;  // a million 'a' fed in uneven pieces
  const std::string a(1000, 'a');
  for (size_t left = 1000000, i = 0; left > 0; ++i) {
    const size_t n = std::min<size_t>(left, 1 + (i * 37) % 130);
    h.update(a.data(), n);
    left -= n;
  }
  EXPECT_EQ(h.hex_digest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

}  // namespace
}  // namespace slm::hub

namespace slm {
namespace {

// Offline (nothing listens on the endpoint): the message names the unreachable Hub and how to run a
// local model instead.
TEST(HubUnreachable, SaysHowToRunALocalModel) {
  const std::string cache = test::temp_dir("hub-unreachable");
  auto r = test::run_cli_env("HF_HUB_CACHE=" + cache + " HF_ENDPOINT=http://127.0.0.1:1",
                             "run Qwen/Qwen3-0.6B --chat -p hi");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot reach http://127.0.0.1:1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("give its directory or .gguf file"), std::string::npos) << r.err;
  std::filesystem::remove_all(cache);
}

}  // namespace
}  // namespace slm
