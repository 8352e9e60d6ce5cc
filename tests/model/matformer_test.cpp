// MatFormer slicing at load equals a genuinely smaller checkpoint written with those layers removed
// and those MLP widths: the independent path is the ordinary Hugging Face loader.
#include "model/matformer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "formats/safetensors.h"
#include "model/transformer.h"
#include "slm/error.h"
#include "test_support.h"

namespace slm {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct RawTensor {
  std::string dtype;
  std::vector<int64_t> shape;
  std::string bytes;
};

void write_safetensors(const std::string& path, const std::map<std::string, RawTensor>& tensors) {
  json header = json::object();
  std::string data;
  for (const auto& [name, t] : tensors) {
    header[name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {data.size(), data.size() + t.bytes.size()}}};
    data += t.bytes;
  }
  const std::string h = header.dump();
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((h.size() >> (8 * i)) & 0xff);
  std::ofstream(path, std::ios::binary) << out << h << data;
}

const std::vector<int64_t> kSkip = {20, 21};

// tiny-gemma3n with layers 20 and 21 removed and MLP widths `widths` (per remaining layer).
std::string write_small_model(const std::vector<int64_t>& widths) {
  const std::string src = test::fixture("models/tiny-gemma3n"), dir = test::temp_dir("matformer");
  json config = json::parse(std::ifstream(src + "/config.json"));
  const int64_t L = config["num_hidden_layers"], P = config["hidden_size_per_layer_input"];
  std::vector<int64_t> index(L, -1);
  for (int64_t l = 0, n = 0; l < L; ++l)
    if (std::find(kSkip.begin(), kSkip.end(), l) == kSkip.end()) index[l] = n++;
  auto keep = [&](const json& list) {
    json out = json::array();
    for (int64_t l = 0; l < L; ++l)
      if (index[l] >= 0) out.push_back(list[l]);
    return out;
  };
  config["num_hidden_layers"] = L - static_cast<int64_t>(kSkip.size());
  config["layer_types"] = keep(config["layer_types"]);
  config["activation_sparsity_pattern"] = keep(config["activation_sparsity_pattern"]);
  config["intermediate_size"] = widths;
  config["num_kv_shared_layers"] = config["num_kv_shared_layers"].get<int>() - static_cast<int>(kSkip.size());
  std::ofstream(dir + "/config.json") << config.dump(2);

  SafetensorsFile st(src + "/model.safetensors");
  std::map<std::string, RawTensor> out;
  const std::regex layer_re(R"(^model\.layers\.(\d+)\.(.+)$)");
  for (const auto& [name, t] : st.tensors()) {
    RawTensor r{"BF16", t.shape, std::string(static_cast<const char*>(t.data), t.nbytes())};
    std::smatch m;
    std::string new_name = name;
    if (std::regex_match(name, m, layer_re)) {
      const int64_t l = std::stoll(m[1]);
      if (index[l] < 0) continue;
      new_name = "model.layers." + std::to_string(index[l]) + "." + m[2].str();
      const int64_t k = widths[index[l]];
      if (m[2] == "mlp.gate_proj.weight" || m[2] == "mlp.up_proj.weight") {
        r.shape[0] = k;
        r.bytes.resize(k * t.shape[1] * 2);
      } else if (m[2] == "mlp.down_proj.weight") {
        std::string b;
        for (int64_t row = 0; row < t.shape[0]; ++row) b += r.bytes.substr(row * t.shape[1] * 2, k * 2);
        r.shape[1] = k;
        r.bytes = b;
      }
    } else if (name == "model.embed_tokens_per_layer.weight") {  // [vocab, L*P]: drop skipped layers' slices
      std::string b;
      for (int64_t row = 0; row < t.shape[0]; ++row)
        for (int64_t l = 0; l < L; ++l)
          if (index[l] >= 0) b += r.bytes.substr((row * L * P + l * P) * 2, P * 2);
      r.shape[1] = (L - static_cast<int64_t>(kSkip.size())) * P;
      r.bytes = b;
    } else if (name == "model.per_layer_model_projection.weight") {  // [L*P, hidden]: drop row blocks
      std::string b;
      for (int64_t l = 0; l < L; ++l)
        if (index[l] >= 0) b += r.bytes.substr(l * P * t.shape[1] * 2, P * t.shape[1] * 2);
      r.shape[0] = (L - static_cast<int64_t>(kSkip.size())) * P;
      r.bytes = b;
    }
    out[new_name] = std::move(r);
  }
  write_safetensors(dir + "/model.safetensors", out);
  return dir;
}

std::vector<float> prompt_logits(Transformer& model) {
  ThreadPool pool(2);
  KVCache cache(model.config(), 64);
  ForwardScratch s;
  std::vector<int32_t> tokens;
  for (int i = 0; i < 30; ++i) tokens.push_back((i * 53 + 9) % 490 + 1);
  model.forward(tokens, cache, s, pool, true);
  return {s.logits.begin(), s.logits.begin() + tokens.size() * model.config().vocab_size};
}

TEST(MatFormer, SliceEqualsASmallerCheckpoint) {
  std::vector<int64_t> widths(23, 64);
  widths[4] = 128;  // a global layer keeps its full width, as the published mix-n-match configs do
  widths[9] = 96;
  const std::string small_dir = write_small_model(widths);

  auto files = open_model_files(test::fixture("models/tiny-gemma3n"));
  apply_matformer_slice(*files, MatFormerSlice{widths, kSkip});
  EXPECT_EQ(files->config.n_layers, 23);
  Transformer sliced(std::move(files));
  Transformer small(open_model_files(small_dir));
  auto a = prompt_logits(sliced), b = prompt_logits(small);
  ASSERT_EQ(a.size(), b.size());
  double max_diff = 0;
  for (size_t i = 0; i < a.size(); ++i) max_diff = std::max(max_diff, double(std::abs(a[i] - b[i])));
  EXPECT_LE(max_diff, 1e-5);

  // And the slice really changed the model.
  Transformer full(open_model_files(test::fixture("models/tiny-gemma3n")));
  auto f = prompt_logits(full);
  double change = 0;
  for (size_t i = 0; i < a.size(); ++i) change = std::max(change, double(std::abs(a[i] - f[i])));
  EXPECT_GT(change, 0.1);
  fs::remove_all(small_dir);
}

TEST(MatFormer, FromAFileThroughTheCli) {
  const std::string dir = test::temp_dir("matformer-cli");
  std::ofstream(dir + "/slice.json") << R"({"ffn_hidden_dims": null, "layers_skipped": [20, 21]})";
  auto r = test::run_cli("info " + test::fixture("models/tiny-gemma3n") + " --matformer " + dir + "/slice.json --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"layers\": 23"), std::string::npos);
  r = test::run_cli("run " + test::fixture("models/tiny-gemma3n") + " --matformer " + dir +
                    "/slice.json --ids 2,100,200 -n 4 --temp 0 --json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  fs::remove_all(dir);
}

TEST(MatFormer, RejectsSlicesThatDoNotFit) {
  auto attempt = [](const char* fixture, MatFormerSlice s) {
    auto files = open_model_files(test::fixture(fixture));
    apply_matformer_slice(*files, s);
  };
  EXPECT_THROW(attempt("models/tiny-qwen3", {}), Error);                          // not a MatFormer
  EXPECT_THROW(attempt("models/tiny-gemma3n", {{}, {18}}), Error);                // layer 20 reads layer 18's K/V
  EXPECT_THROW(attempt("models/tiny-gemma3n", {std::vector<int64_t>(25, 200), {}}), Error);  // wider than the MLP
  EXPECT_THROW(attempt("models/tiny-gemma3n", {std::vector<int64_t>(24, 64), {}}), Error);   // wrong count
  EXPECT_THROW(attempt("models/tiny-gemma3n", {{}, {99}}), Error);
}

}  // namespace
}  // namespace slm
