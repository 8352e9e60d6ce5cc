// Bad input gets a clear error naming the file/field and a non-zero exit, never a crash or hang.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "formats/gguf_writer.h"
#include "formats/model_files.h"
#include "formats/safetensors.h"
#include "slm/error.h"
#include "test_support.h"

namespace slm {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string read_file(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_file(const std::string& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

// A copy of tiny-qwen3's HF directory (config + safetensors) that a test may spoil.
class BadInput : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::temp_dir("bad");
    src_ = test::fixture("models/tiny-qwen3");
    fs::copy_file(src_ + "/config.json", dir_ + "/config.json");
    fs::copy_file(src_ + "/model.safetensors", dir_ + "/model.safetensors");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Rewrites model.safetensors with `edit` applied to its header JSON (data section kept).
  void edit_header(const std::function<void(json&)>& edit) {
    std::string bytes = read_file(src_ + "/model.safetensors");
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = n << 8 | static_cast<uint8_t>(bytes[i]);
    json header = json::parse(bytes.substr(8, n));
    edit(header);
    std::string h = header.dump();
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((h.size() >> (8 * i)) & 0xff);
    write_file(dir_ + "/model.safetensors", out + h + bytes.substr(8 + n));
  }

  // `slm info` on the directory must fail with exit code 1 and a message containing `what`.
  void expect_error(const std::string& target, const std::string& what) {
    auto r = test::run_cli("info " + test::shell_quote(target));
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(r.err.rfind("slm: error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(what), std::string::npos) << "stderr: " << r.err;
    // The loader must also refuse it with an slm::Error when used as a library.
    EXPECT_THROW(open_model_files(target), Error);
  }

  std::string dir_, src_;
};

TEST_F(BadInput, TruncatedSafetensors) {
  write_file(dir_ + "/model.safetensors", read_file(src_ + "/model.safetensors").substr(0, 5));
  expect_error(dir_, "model.safetensors: truncated");
}

TEST_F(BadInput, TruncatedSafetensorsData) {
  std::string bytes = read_file(src_ + "/model.safetensors");
  write_file(dir_ + "/model.safetensors", bytes.substr(0, bytes.size() / 2));
  expect_error(dir_, "past the end of the file");
}

TEST_F(BadInput, CorruptJsonHeader) {
  std::string bytes = read_file(src_ + "/model.safetensors");
  bytes[9] = '#';  // inside the JSON header
  write_file(dir_ + "/model.safetensors", bytes);
  expect_error(dir_, "corrupt JSON header");
}

TEST_F(BadInput, HeaderLengthPastEndOfFile) {
  std::string bytes = read_file(src_ + "/model.safetensors");
  bytes[6] = 0x7f;  // header length ~ 2^54
  write_file(dir_ + "/model.safetensors", bytes);
  expect_error(dir_, "exceeds the file size");
}

TEST_F(BadInput, DataOffsetsPastEndOfFile) {
  edit_header([](json& h) { h["model.norm.weight"]["data_offsets"] = {100000000, 100000128}; });
  expect_error(dir_, "model.norm.weight: data_offsets [100000000, 100000128] lie past the end");
}

TEST_F(BadInput, UnknownDtype) {
  edit_header([](json& h) { h["model.norm.weight"]["dtype"] = "F8_E4M3"; });
  expect_error(dir_, "model.norm.weight: unsupported dtype F8_E4M3");
}

TEST_F(BadInput, ShapeDisagreesWithByteRange) {
  edit_header([](json& h) { h["model.norm.weight"]["shape"] = {65}; });
  expect_error(dir_, "model.norm.weight: shape [65] needs 130 bytes");
}

TEST_F(BadInput, MissingTensor) {
  edit_header([](json& h) { h.erase("model.norm.weight"); });
  auto r = test::run_cli("run " + dir_ + " --ids 1,2");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("missing tensor output_norm.weight (model.norm.weight)"), std::string::npos) << r.err;
}

TEST_F(BadInput, WrongTensorShape) {
  // Swap the declared shape of q_proj: the bytes still fit, the model's expectation does not.
  edit_header([](json& h) { h["model.layers.0.self_attn.q_proj.weight"]["shape"] = {64, 128}; });
  auto r = test::run_cli("run " + dir_ + " --ids 1,2");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("model.layers.0.self_attn.q_proj.weight: expected shape [128,64], got [64,128]"),
            std::string::npos)
      << r.err;
}

TEST_F(BadInput, UnknownArchitecture) {
  json config = json::parse(read_file(dir_ + "/config.json"));
  config["model_type"] = "mamba";
  config["architectures"] = {"MambaForCausalLM"};
  write_file(dir_ + "/config.json", config.dump());
  expect_error(dir_, "unknown architecture 'MambaForCausalLM'");
}

TEST_F(BadInput, ConfigNotJson) {
  write_file(dir_ + "/config.json", "{\"hidden_size\": 64,");
  expect_error(dir_, "config.json: invalid JSON");
}

TEST_F(BadInput, ConfigMissingField) {
  json config = json::parse(read_file(dir_ + "/config.json"));
  config.erase("hidden_size");
  write_file(dir_ + "/config.json", config.dump());
  expect_error(dir_, "config.json: missing field hidden_size");
}

TEST_F(BadInput, DirectoryWithoutConfig) {
  fs::remove(dir_ + "/config.json");
  expect_error(dir_, "no config.json");
}

TEST_F(BadInput, NoSuchPath) { expect_error(dir_ + "/nothing-here.gguf", "no such file or directory"); }

TEST_F(BadInput, TokenIdOutsideVocabulary) {
  auto r = test::run_cli("run " + dir_ + " --ids 1,99999 -n 1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("token id 99999 is outside the vocabulary"), std::string::npos) << r.err;
}

// ---- GGUF ----

std::string gguf_bytes() { return read_file(test::fixture("models/tiny-qwen3/model.gguf")); }

TEST_F(BadInput, GgufBadMagic) {
  std::string b = gguf_bytes();
  b[0] = 'X';
  write_file(dir_ + "/m.gguf", b);
  expect_error(dir_ + "/m.gguf", "not a GGUF file (bad magic)");
}

TEST_F(BadInput, GgufBadVersion) {
  std::string b = gguf_bytes();
  b[4] = 9;
  write_file(dir_ + "/m.gguf", b);
  expect_error(dir_ + "/m.gguf", "unsupported GGUF version 9");
}

TEST_F(BadInput, GgufTruncated) {
  std::string b = gguf_bytes();
  write_file(dir_ + "/m.gguf", b.substr(0, 1000));
  expect_error(dir_ + "/m.gguf", "(truncated or corrupt)");
  write_file(dir_ + "/m.gguf", b.substr(0, 30));
  expect_error(dir_ + "/m.gguf", "truncated GGUF file");
}

TEST_F(BadInput, GgufTruncatedData) {
  std::string b = gguf_bytes();
  write_file(dir_ + "/m.gguf", b.substr(0, b.size() - 100));
  expect_error(dir_ + "/m.gguf", "lies past the end of the file");
}

TEST_F(BadInput, GgufBadAlignment) {
  GgufWriter w;
  w.set_string("general.architecture", "qwen3");
  w.set_u32("general.alignment", 48);
  w.add_tensor("token_embd.weight", 0, {4, 4}, std::vector<uint8_t>(64));
  write_file(dir_ + "/m.gguf", [&] {
    auto v = w.serialize();
    return std::string(v.begin(), v.end());
  }());
  expect_error(dir_ + "/m.gguf", "general.alignment must be a positive power of two, got 48");
}

TEST_F(BadInput, GgufUnknownArchitecture) {
  GgufWriter w;
  w.set_string("general.architecture", "rwkv7");
  w.add_tensor("token_embd.weight", 0, {4, 4}, std::vector<uint8_t>(64));
  w.write(dir_ + "/m.gguf");
  expect_error(dir_ + "/m.gguf", "unknown architecture 'rwkv7'");
}

TEST_F(BadInput, GgufHugeArrayLength) {
  GgufWriter w;
  w.set_string("general.architecture", "qwen3");
  w.set_string_array("tokenizer.ggml.tokens", {"a", "b"});
  auto v = w.serialize();
  // The array length field follows key, type and element type: make it enormous.
  std::string b(v.begin(), v.end());
  const std::string key = "tokenizer.ggml.tokens";
  size_t at = b.find(key) + key.size() + 4 + 4;
  b[at + 7] = 0x10;
  write_file(dir_ + "/m.gguf", b);
  expect_error(dir_ + "/m.gguf", "tokenizer.ggml.tokens: array length");
}

TEST_F(BadInput, GgufMissingMetadata) {
  GgufWriter w;
  w.set_string("general.architecture", "qwen3");
  w.add_tensor("token_embd.weight", 0, {4, 4}, std::vector<uint8_t>(64));
  w.write(dir_ + "/m.gguf");
  expect_error(dir_ + "/m.gguf", "missing metadata qwen3.embedding_length");
}

}  // namespace
}  // namespace slm
