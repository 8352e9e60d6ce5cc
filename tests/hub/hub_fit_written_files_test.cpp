// `slm fit` predicts the weight bytes of the full-size GGUF files slm itself writes for the same
// config (Qwen3-0.6B shape, random weights) within 2%.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace slm {
namespace {

namespace fs = std::filesystem;

TEST(HubFitWrittenFiles, WeightsMatchTheFilesSlmWrites) {
  const std::string dir = test::temp_dir("fit-files");
  for (const std::string type : {"Q8_0", "Q4_K_M"}) {
    const std::string file = dir + "/qwen3-0.6b-" + type + ".gguf";
    auto w = test::run_cli("dev random-model --like qwen3-0.6b --type " + type + " " + file + " --quiet");
    ASSERT_EQ(w.exit_code, 0) << w.err;
    auto r = test::run_cli("fit " + file + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    int64_t predicted = -1;
    const nlohmann::json fit = nlohmann::json::parse(r.out);
    for (const auto& q : fit["quantizations"])
      if (q["quant"] == type) predicted = q["weights_bytes"].get<int64_t>();
    const double actual = static_cast<double>(fs::file_size(file));
    EXPECT_NEAR(predicted / actual, 1.0, 0.02) << type << ": fit " << predicted << " bytes, file " << actual;
    fs::remove(file);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace slm
