// Micro-benchmarks: one weight row · activations per block type and kernel variant, and a full
// matmul (decode: 1 token; prefill: 64 tokens) against the f32 path.
#include <benchmark/benchmark.h>

#include <cstring>
#include <random>

#include "base/huge_page_allocator.h"
#include "base/thread_pool.h"
#include "kernels/matmul.h"
#include "kernels/quant_dot.h"
#include "tensor/quant/q8_0x4.h"
#include "tensor/quant/quant.h"

namespace {

using namespace slm;

std::vector<float> gaussian(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

const DType kTypes[] = {DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q8_0,
                        DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K};

std::vector<uint8_t> random_blocks(DType t, int64_t n, uint32_t seed) {
  std::vector<uint8_t> q(dtype_bytes(t, n));
  if (quant::can_quantize(t)) {
    const auto x = gaussian(n, seed);
    quant::quantize_row(t, x.data(), q.data(), n);
  } else {  // Q2_K/Q3_K: random codes, small fp16 scales
    std::mt19937 rng(seed);
    for (auto& b : q) b = static_cast<uint8_t>(rng());
    const int bb = dtype_info(t).block_bytes;
    for (size_t o = 0; o < q.size(); o += bb) q[o + bb - 2] = 0x00, q[o + bb - 1] = 0x20;
  }
  return q;
}

void BM_QuantDot(benchmark::State& state, DType t, const kernels::QuantDotKernels* k, int nt) {
  if (!k) return state.SkipWithError("variant not supported on this CPU");
  if (nt > k->token_tile) return state.SkipWithError("wider than the variant's tile");
  const int64_t n = 4096;
  const auto w = random_blocks(t, n, 1);
  const auto x = gaussian(n * nt, 2);
  const size_t ab = kernels::act_row_bytes(t, n);
  std::vector<uint8_t> act(ab * nt);
  for (int i = 0; i < nt; ++i) kernels::quantize_activations(t, x.data() + i * n, act.data() + i * ab, n);
  float out[kernels::kMaxTokenTile];
  for (auto _ : state) {
    k->get(t)(w.data(), act.data(), ab, nt, n, out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * n * nt);
  state.SetLabel(k->name);
}

void BM_Matmul(benchmark::State& state, DType t, int64_t tokens) {
  const int64_t in = 2048, out = 2048;
  std::vector<uint8_t> w;
  if (t == DType::F32) {
    const auto f = gaussian(in * out, 3);
    w.resize(f.size() * 4);
    std::memcpy(w.data(), f.data(), w.size());
  } else {
    w = random_blocks(t, in * out, 3);
  }
  Tensor wt{t, {out, in}, w.data()};
  const auto x = gaussian(in * tokens, 4);
  std::vector<float> y(out * tokens);
  ThreadPool pool(1);
  for (auto _ : state) {
    kernels::matmul(wt, x.data(), tokens, y.data(), pool);
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * in * out * tokens);  // multiply-adds
}

// Decode (one token) through the seven matrices of Llama-3.2-3B layers, enough layers that the
// weights come from memory as in generation. Bytes processed = weight bytes read, so the rate
// compares directly with the machine's read bandwidth.
// Q8_0x4 is measured on the Q8_0 matrices, interleaved as the engine does at load.
void BM_DecodeLayersFromMemory(benchmark::State& state, DType layout, int threads) {
  const DType t = layout == DType::Q8_0x4 ? DType::Q8_0 : layout;
  constexpr int64_t kLayers = 6, H = 3072, KV = 1024, F = 8192;
  const int64_t shapes[7][2] = {{H, H}, {KV, H}, {KV, H}, {H, H}, {F, H}, {F, H}, {H, F}};
  size_t total = 0;
  for (const auto& sh : shapes) total += dtype_bytes(t, static_cast<size_t>(sh[0] * sh[1]));
  std::vector<uint8_t, HugePageAllocator<uint8_t>> weights(total * kLayers);
  const auto pattern = random_blocks(t, shapes[4][0] * shapes[4][1], 5);  // the largest matrix
  std::vector<Tensor> mats;
  size_t offset = 0;
  for (int64_t l = 0; l < kLayers; ++l)
    for (const auto& sh : shapes) {
      const size_t bytes = dtype_bytes(t, static_cast<size_t>(sh[0] * sh[1]));
      std::memcpy(weights.data() + offset, pattern.data(), bytes);
      if (layout == DType::Q8_0x4) quant::interleave_q8_0x4_in_place(weights.data() + offset, sh[0] / 4, sh[1]);
      mats.push_back(Tensor{layout, {sh[0], sh[1]}, weights.data() + offset});
      offset += bytes;
    }
  const auto x = gaussian(F, 6);
  std::vector<float> y(F);
  ThreadPool pool(threads);
  for (auto _ : state) {
    for (const Tensor& m : mats) kernels::matmul(m, x.data(), 1, y.data(), pool);
    benchmark::DoNotOptimize(y.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(total * kLayers));
}

int register_all() {
  for (DType t : kTypes)
    for (int nt : {1, 4, 8}) {
      const std::string suffix = std::string(dtype_name(t)) + "/tokens:" + std::to_string(nt);
      benchmark::RegisterBenchmark(("QuantDot/scalar/" + suffix).c_str(), BM_QuantDot, t, &kernels::quant_dot_scalar(), nt);
      benchmark::RegisterBenchmark(("QuantDot/avx2/" + suffix).c_str(), BM_QuantDot, t, kernels::quant_dot_avx2(), nt);
      benchmark::RegisterBenchmark(("QuantDot/avx512/" + suffix).c_str(), BM_QuantDot, t, kernels::quant_dot_avx512(), nt);
    }
  for (DType t : {DType::F32, DType::Q8_0, DType::Q4_0, DType::Q4_K, DType::Q5_K, DType::Q6_K})
    for (int64_t tokens : {1, 64})
      benchmark::RegisterBenchmark(("Matmul2048/" + std::string(dtype_name(t)) + "/tokens:" + std::to_string(tokens)).c_str(),
                                   BM_Matmul, t, tokens);
  for (DType t : {DType::Q8_0, DType::Q8_0x4, DType::Q4_K, DType::Q6_K})
    for (int threads : {1, 2})
      benchmark::RegisterBenchmark(("DecodeLayersFromMemory/" + std::string(dtype_name(t)) + "/threads:" +
                                    std::to_string(threads)).c_str(),
                                   BM_DecodeLayersFromMemory, t, threads)
          ->Unit(benchmark::kMicrosecond)
          ->UseRealTime();
  return 0;
}
const int registered = register_all();

}  // namespace

