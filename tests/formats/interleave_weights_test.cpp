// interleave_for_decode: which tensors it rewrites (writable Q8_0 matrices of whole spans that
// no other tensor views), that every row reads back the same afterwards, and that a model run
// on interleaved weights gives the logits and tokens of the same file run as plain Q8_0.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>

#include "formats/interleave_weights.h"
#include "formats/model_files.h"
#include "kernels/dot.h"
#include "kernels/q8_0x4_kernels.h"
#include "model/transformer.h"
#include "tensor/quant/quant.h"
#include "test_support.h"

namespace slm {
namespace {

std::vector<uint8_t> q8_0_matrix(int64_t rows, int64_t cols, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> x(rows * cols);
  for (auto& v : x) v = d(rng);
  std::vector<uint8_t> q(dtype_bytes(DType::Q8_0, rows * cols));
  quant::quantize_row(DType::Q8_0, x.data(), q.data(), rows * cols);
  return q;
}

std::vector<float> row_f32(const Tensor& t, int64_t row) {
  std::vector<float> out(t.cols());
  kernels::matrix_row_to_f32(t, row, out.data());
  return out;
}

TEST(InterleaveWeights, RewritesOnlyWhatIsSafe) {
  if (!kernels::q8_0x4_dot_best()) GTEST_SKIP() << "no Q8_0x4 kernel on this CPU";
  WeightStore w;
  w.put_owned("a.weight", DType::Q8_0, {8, 256}, q8_0_matrix(8, 256, 1), "a");         // rewritten
  w.put_owned("odd_rows.weight", DType::Q8_0, {6, 256}, q8_0_matrix(6, 256, 2), "b");  // rows not in fours
  w.put_owned("narrow.weight", DType::Q8_0, {8, 96}, q8_0_matrix(8, 96, 3), "c");      // not whole spans
  // Mapped bytes (not writable) stay as they are.
  auto mapped = q8_0_matrix(8, 256, 4);
  w.put("mapped.weight", Tensor{DType::Q8_0, {8, 256}, mapped.data()}, "d");
  // A fused matrix with views of its rows: rewriting it would scramble the views.
  w.put_owned("fused.weight", DType::Q8_0, {8, 256}, q8_0_matrix(8, 256, 5), "e");
  const Tensor fused = *w.find("fused.weight");
  const size_t row_bytes = dtype_bytes(DType::Q8_0, 256);
  w.put("view.weight", Tensor{DType::Q8_0, {4, 256}, static_cast<const uint8_t*>(fused.data) + 4 * row_bytes}, "e[4..8]");

  std::map<std::string, std::vector<std::vector<float>>> before;
  for (const auto& name : w.names())
    for (int64_t r = 0; r < w.find(name)->rows(); ++r) before[name].push_back(row_f32(*w.find(name), r));

  ThreadPool pool(2);
  EXPECT_EQ(interleave_for_decode(w, pool), static_cast<int64_t>(dtype_bytes(DType::Q8_0, 8 * 256)));
  EXPECT_EQ(w.find("a.weight")->dtype, DType::Q8_0x4);
  for (const char* kept : {"odd_rows.weight", "narrow.weight", "mapped.weight", "fused.weight", "view.weight"})
    EXPECT_EQ(w.find(kept)->dtype, DType::Q8_0) << kept;
  for (const auto& name : w.names())
    for (int64_t r = 0; r < w.find(name)->rows(); ++r)
      EXPECT_EQ(row_f32(*w.find(name), r), before[name][r]) << name << " row " << r;
}

std::vector<float> logits_of(Transformer& model, std::span<const int32_t> tokens, KVCache& cache, ThreadPool& pool,
                             bool all) {
  ForwardScratch scratch;
  model.forward(tokens, cache, scratch, pool, all);
  const size_t n = (all ? tokens.size() : 1) * model.config().vocab_size;
  return std::vector<float>(scratch.logits.begin(), scratch.logits.begin() + n);
}

// A random 256-wide llama in Q8_0, once as read from the file and once interleaved: a short
// prompt (token tiles), a long one (AMX tiles where present) and single-token decoding (the
// grouped q/k/v and gate/up pass) agree to float rounding, and greedy decoding picks the same tokens.
TEST(InterleaveWeights, ModelMatchesPlainQ8_0) {
  if (!kernels::q8_0x4_dot_best()) GTEST_SKIP() << "no Q8_0x4 kernel on this CPU";
  const std::string tmp = test::temp_dir("interleave");
  const std::string path = tmp + "/tiny-q8.gguf";
  const auto r = test::run_cli("dev random-model --like tiny --quiet --type Q8_0 " + test::shell_quote(path));
  ASSERT_EQ(r.exit_code, 0) << r.err;

  auto plain_files = open_model_files(path, Residency::kMapped);
  auto inter_files = open_model_files(path, Residency::kResident);
  ThreadPool pool(2);
  EXPECT_GT(interleave_for_decode(inter_files->weights, pool), 0);
  for (const char* name : {"blk.0.ffn_down.weight", "output.weight"}) {
    ASSERT_NE(inter_files->weights.find(name), nullptr) << name;
    EXPECT_EQ(inter_files->weights.find(name)->dtype, DType::Q8_0x4) << name;
  }
  Transformer plain(std::move(plain_files)), inter(std::move(inter_files));

  std::vector<int32_t> prompt(40);
  for (size_t i = 0; i < prompt.size(); ++i) prompt[i] = static_cast<int32_t>((i * 37 + 5) % 512);
  for (size_t len : {size_t{7}, prompt.size()}) {
    KVCache cp(plain.config(), 64), ci(inter.config(), 64);
    const std::span<const int32_t> p(prompt.data(), len);
    auto want = logits_of(plain, p, cp, pool, true), got = logits_of(inter, p, ci, pool, true);
    const auto [lo, hi] = std::minmax_element(want.begin(), want.end());
    const double spread = *hi - *lo;
    double worst = 0;
    for (size_t i = 0; i < want.size(); ++i) worst = std::max(worst, static_cast<double>(std::fabs(got[i] - want[i])));
    EXPECT_LE(worst, 1e-4 * spread) << "prompt of " << len;
    // Decode from here, one token at a time.
    int32_t next_p = static_cast<int32_t>(std::max_element(want.end() - 512, want.end()) - (want.end() - 512));
    int32_t next_i = static_cast<int32_t>(std::max_element(got.end() - 512, got.end()) - (got.end() - 512));
    for (int step = 0; step < 6; ++step) {
      ASSERT_EQ(next_i, next_p) << "step " << step;
      const int32_t tok[1] = {next_p};
      want = logits_of(plain, tok, cp, pool, false);
      got = logits_of(inter, tok, ci, pool, false);
      for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-4 * spread) << "step " << step;
      next_p = static_cast<int32_t>(std::max_element(want.begin(), want.end()) - want.begin());
      next_i = static_cast<int32_t>(std::max_element(got.begin(), got.end()) - got.begin());
    }
  }
  std::filesystem::remove_all(tmp);
}

}  // namespace
}  // namespace slm
