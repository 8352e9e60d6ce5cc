#pragma once
// Shared helpers for tests: where the fixtures are, and running the slm CLI.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace slm::test {

// ../shared/fixtures relative to the repo root, or $SLM_FIXTURES.
inline std::string fixtures_dir() {
  if (const char* env = std::getenv("SLM_FIXTURES")) return env;
  return std::string(SLM_SOURCE_DIR) + "/../shared/fixtures";
}

inline std::string fixture(const std::string& rel) { return fixtures_dir() + "/" + rel; }

struct CliResult {
  int exit_code;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `slm ARGS` through the shell (args are passed verbatim: quote them yourself).
CliResult run_cli(const std::string& args, const std::string& stdin_text = "");
// The same with environment assignments first, e.g. env = "HF_HUB_CACHE=/tmp/x HF_HUB_OFFLINE=1"
// (quote values yourself).
CliResult run_cli_env(const std::string& env, const std::string& args, const std::string& stdin_text = "");

// A fresh temporary directory, removed by the caller if it wishes.
std::string temp_dir(const std::string& tag);

std::string shell_quote(const std::string& s);

// n values drawn from N(0, sigma²), the same for the same seed.
inline std::vector<float> gaussian(size_t n, uint32_t seed, float sigma = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, sigma);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

}  // namespace slm::test
