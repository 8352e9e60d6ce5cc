// Attention for one layer of a Qwen3-0.6B-shaped model (16 query heads, 8 KV heads, head_dim 128):
// a 512-token prompt, a 512-token chunk continuing a 3584-token cache (4096 context), and one
// decode step at 512 and 4096 context. "baseline" is the kernel this one replaced (one SIMD dot
// product and axpy per key, head and query); "reference" the scalar attention_reference; then each
// tile variant. Items are query-key pairs per head.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "base/half.h"
#include "base/huge_page_allocator.h"
#include "base/thread_pool.h"
#include "kernels/attention.h"
#include "kernels/attention_tiles.h"
#include "kernels/dot.h"

namespace {

using namespace slm;
using namespace slm::kernels;

const AttentionShape kShape{16, 8, 128, 8 * 128, 1.0f / std::sqrt(128.0f)};

// The previous kernel (no window or ring needed here), kept only as the benchmark's baseline.
void baseline_attention(const float* q, const void* k_cache, const void* v_cache, float* out, int64_t n_tokens,
                        int64_t pos0, const AttentionShape& s, float* scratch, ThreadPool& pool) {
  const auto* k = static_cast<const float*>(k_cache);
  const auto* v = static_cast<const float*>(v_cache);
  const int64_t group = s.n_heads / s.n_kv_heads, q_stride = s.n_heads * s.head_dim, max_len = pos0 + n_tokens;
  pool.parallel_for(static_cast<size_t>(n_tokens * s.n_heads), [&](size_t begin, size_t end, int thread) {
    float* scores = scratch + thread * max_len;
    for (size_t job = begin; job < end; ++job) {
      const int64_t t = static_cast<int64_t>(job) / s.n_heads, h = static_cast<int64_t>(job) % s.n_heads;
      const int64_t pos = pos0 + t, kv_off = (h / group) * s.head_dim;
      const float* qh = q + t * q_stride + h * s.head_dim;
      float max_score = -INFINITY;
      for (int64_t j = 0; j <= pos; ++j) {
        scores[j] = dot_f32(qh, k + j * s.kv_stride + kv_off, s.head_dim) * s.scale;
        max_score = std::max(max_score, scores[j]);
      }
      double sum = 0;
      for (int64_t j = 0; j <= pos; ++j) sum += scores[j] = std::exp(scores[j] - max_score);
      const float inv = static_cast<float>(1.0 / sum);
      float* oh = out + t * q_stride + h * s.head_dim;
      std::fill(oh, oh + s.head_dim, 0.0f);
      for (int64_t j = 0; j <= pos; ++j) axpy_f32(scores[j] * inv, v + j * s.kv_stride + kv_off, oh, s.head_dim);
    }
  });
}

enum class Kind { Baseline, Reference, Tiles };

void BM_Attention(benchmark::State& state, Kind kind, const AttentionTiles* tiles, int64_t n_tokens, int64_t pos0,
                  int threads) {
  const int64_t len = pos0 + n_tokens, q_len = n_tokens * kShape.n_heads * kShape.head_dim;
  std::mt19937 rng(1);
  std::normal_distribution<float> d;
  std::vector<float> q(q_len), k(len * kShape.kv_stride), v(len * kShape.kv_stride), out(q_len);
  for (auto* x : {&q, &k, &v})
    for (auto& e : *x) e = d(rng);
  ThreadPool pool(threads);
  const size_t ws = kind == Kind::Tiles ? attention_scratch_floats_with(*tiles, n_tokens, pos0, kShape, threads)
                                        : static_cast<size_t>(threads * len);
  std::vector<float> scratch(ws);
  for (auto _ : state) {
    auto fn = kind == Kind::Baseline ? baseline_attention : attention_reference;
    if (kind == Kind::Tiles)
      attention_with(*tiles, q.data(), k.data(), v.data(), out.data(), n_tokens, pos0, kShape, scratch.data(), pool);
    else
      fn(q.data(), k.data(), v.data(), out.data(), n_tokens, pos0, kShape, scratch.data(), pool);
    benchmark::DoNotOptimize(out.data());
  }
  int64_t pairs = 0;
  for (int64_t t = 0; t < n_tokens; ++t) pairs += pos0 + t + 1;
  state.SetItemsProcessed(state.iterations() * pairs * kShape.n_heads);
  state.SetLabel(kind == Kind::Tiles ? tiles->name : kind == Kind::Baseline ? "baseline" : "reference");
}

int register_all() {
  struct Size {
    const char* name;
    int64_t n_tokens, pos0;
  };
  const Size sizes[] = {{"prefill512", 512, 0}, {"prefill512@3584", 512, 3584}, {"decode@512", 1, 511}, {"decode@4096", 1, 4095}};
  struct Variant {
    const char* name;
    Kind kind;
    const AttentionTiles* tiles;
  };
  const Variant variants[] = {{"baseline", Kind::Baseline, nullptr},
                              {"reference", Kind::Reference, nullptr},
                              {"scalar", Kind::Tiles, &attention_tiles_scalar()},
                              {"avx2", Kind::Tiles, attention_tiles_avx2()},
                              {"avx512", Kind::Tiles, attention_tiles_avx512()}};
  for (const Size& s : sizes)
    for (const Variant& var : variants) {
      if (var.kind == Kind::Tiles && !var.tiles) continue;
      for (int threads : {1, 2})
        benchmark::RegisterBenchmark(
            (std::string("Attention/") + s.name + "/" + var.name + "/threads:" + std::to_string(threads)).c_str(),
            BM_Attention, var.kind, var.tiles, s.n_tokens, s.pos0, threads)
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime();
    }
  return 0;
}
const int registered = register_all();

}  // namespace

namespace {

// One decode step per layer over 28 layers' head-major caches ([kv_head][row][head_dim], as
// KVCache stores them), so the cache comes from memory as in a real forward pass rather than
// from L2/L3. Bytes processed = K and V rows read.
template <typename Buffer>
void BM_AttentionDecodeFromMemory(benchmark::State& state, int64_t context, int threads, DType kv_type) {
  constexpr int64_t kLayers = 28;
  const int64_t rows = context + 64, D = kShape.head_dim, Hkv = kShape.n_kv_heads;
  AttentionShape shape = kShape;
  shape.kv_stride = D;
  shape.kv_head_stride = rows * D;
  shape.kv_type = kv_type;
  const size_t element = kv_type == DType::F16 ? 2 : 4;
  std::mt19937 rng(1);
  std::normal_distribution<float> d;
  std::vector<Buffer> k(kLayers), v(kLayers);
  for (int64_t l = 0; l < kLayers; ++l) {
    k[l].resize(Hkv * rows * D * element / sizeof(float));
    v[l].resize(k[l].size());
    for (auto* x : {&k[l], &v[l]}) {
      if (kv_type == DType::F16) {
        auto* h = reinterpret_cast<uint16_t*>(x->data());
        for (int64_t i = 0; i < Hkv * rows * D; ++i) h[i] = f32_to_f16(d(rng));
      } else {
        for (auto& e : *x) e = d(rng);
      }
    }
  }
  std::vector<float> q(kShape.n_heads * D), out(q.size());
  for (auto& e : q) e = d(rng);
  ThreadPool pool(threads);
  std::vector<float> scratch(attention_scratch_floats(1, context - 1, shape, threads));
  for (auto _ : state) {
    for (int64_t l = 0; l < kLayers; ++l)
      attention(q.data(), k[l].data(), v[l].data(), out.data(), 1, context - 1, shape, scratch.data(), pool);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * kLayers * 2 * Hkv * context * D * static_cast<int64_t>(element));
}

int register_decode_from_memory() {
  for (int64_t context : {576, 2048})
    for (int threads : {1, 2})
      for (DType kv : {DType::F32, DType::F16}) {
        const std::string suffix = std::string(kv == DType::F16 ? "f16" : "f32") + "/28layers@" +
                                   std::to_string(context) + "/threads:" + std::to_string(threads);
        benchmark::RegisterBenchmark(("AttentionDecodeFromMemory/4KiB-pages/" + suffix).c_str(),
                                     BM_AttentionDecodeFromMemory<std::vector<float>>, context, threads, kv)
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime();
        benchmark::RegisterBenchmark(("AttentionDecodeFromMemory/huge-pages/" + suffix).c_str(),
                                     BM_AttentionDecodeFromMemory<std::vector<float, HugePageAllocator<float>>>,
                                     context, threads, kv)
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime();
      }
  return 0;
}
const int registered_decode_from_memory = register_decode_from_memory();

}  // namespace
