// The same model through the other ways a checkpoint can come: sharded safetensors with an index,
// and a GGUF v2 file. Each must give the logits of the single-file original.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "formats/safetensors.h"
#include "model/transformer.h"
#include "slm/error.h"
#include "test_support.h"

namespace slm {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<float> logits_of(const std::string& path) {
  Transformer model(open_model_files(path));
  ThreadPool pool(1);
  KVCache cache(model.config(), 32);
  ForwardScratch s;
  const std::vector<int32_t> tokens = {1, 50, 300, 7, 99, 4};
  model.forward(tokens, cache, s, pool, true);
  return {s.logits.begin(), s.logits.begin() + tokens.size() * model.config().vocab_size};
}

void write_shard(const std::string& path, const SafetensorsFile& src, const std::vector<std::string>& names) {
  json header = json::object();
  std::string data;
  for (const auto& name : names) {
    const Tensor& t = src.tensors().at(name);
    header[name] = {{"dtype", dtype_name(t.dtype)}, {"shape", t.shape}, {"data_offsets", {data.size(), data.size() + t.nbytes()}}};
    data.append(static_cast<const char*>(t.data), t.nbytes());
  }
  const std::string h = header.dump();
  std::string len(8, '\0');
  for (int i = 0; i < 8; ++i) len[i] = static_cast<char>((h.size() >> (8 * i)) & 0xff);
  std::ofstream(path, std::ios::binary) << len << h << data;
}

TEST(LoaderVariants, ShardedSafetensorsWithIndex) {
  const std::string src = test::fixture("models/tiny-qwen2"), dir = test::temp_dir("sharded");
  fs::copy_file(src + "/config.json", dir + "/config.json");
  SafetensorsFile st(src + "/model.safetensors");
  std::vector<std::string> first, second;
  for (const auto& [name, t] : st.tensors()) (first.size() <= second.size() ? first : second).push_back(name);
  write_shard(dir + "/model-00001-of-00002.safetensors", st, first);
  write_shard(dir + "/model-00002-of-00002.safetensors", st, second);
  json index = {{"metadata", {{"total_size", 0}}}, {"weight_map", json::object()}};
  for (const auto& n : first) index["weight_map"][n] = "model-00001-of-00002.safetensors";
  for (const auto& n : second) index["weight_map"][n] = "model-00002-of-00002.safetensors";
  std::ofstream(dir + "/model.safetensors.index.json") << index.dump();

  EXPECT_EQ(logits_of(dir), logits_of(src));

  // A shard the index names but the directory lacks is reported by name.
  fs::remove(dir + "/model-00002-of-00002.safetensors");
  try {
    open_model_files(dir);
    FAIL() << "missing shard accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model-00002-of-00002.safetensors"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(LoaderVariants, GgufVersion2) {
  const std::string src = test::fixture("models/tiny-llama3/model.gguf"), dir = test::temp_dir("gguf-v2");
  std::ifstream in(src, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  ASSERT_EQ(bytes[4], 3);
  bytes[4] = 2;  // v2 and v3 share the little-endian layout
  std::ofstream(dir + "/v2.gguf", std::ios::binary) << bytes;
  EXPECT_EQ(open_model_files(dir + "/v2.gguf")->gguf->version(), 2u);
  EXPECT_EQ(logits_of(dir + "/v2.gguf"), logits_of(src));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace slm
