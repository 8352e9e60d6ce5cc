// Prefill matmul (512 tokens) per weight type on one thread, in multiply-adds per second: the
// AMX tile path where the CPU has it, else the int8 vector path.
#include <benchmark/benchmark.h>

#include <random>

#include "base/thread_pool.h"
#include "kernels/matmul.h"
#include "tensor/quant/quant.h"

namespace {

using namespace slm;

void BM_PrefillMatmul(benchmark::State& state, DType t) {
  const int64_t out = state.range(0), in = state.range(1), tokens = state.range(2);
  std::mt19937 rng(1);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  std::vector<float> wf(out * in), x(in * tokens), y(out * tokens);
  for (auto& v : wf) v = gauss(rng);
  for (auto& v : x) v = gauss(rng);
  std::vector<uint8_t> w(dtype_bytes(t, out * in));
  quant::quantize_row(t, wf.data(), w.data(), out * in);
  Tensor wt{t, {out, in}, w.data()};
  ThreadPool pool(1);
  for (auto _ : state) {
    kernels::matmul(wt, x.data(), tokens, y.data(), pool);
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * out * in * tokens);
}

BENCHMARK_CAPTURE(BM_PrefillMatmul, Q8_0, DType::Q8_0)->Args({1024, 1024, 512})->Args({1024, 3072, 512})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_PrefillMatmul, Q4_K, DType::Q4_K)->Args({1024, 1024, 512})->Args({1024, 3072, 512})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_PrefillMatmul, Q6_K, DType::Q6_K)->Args({1024, 1024, 512})->Unit(benchmark::kMillisecond);

}  // namespace
