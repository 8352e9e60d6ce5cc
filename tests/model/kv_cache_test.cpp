// The KV cache's memory: f16 halves it, the size a cache reports equals what kv_cache_bytes
// predicts (what `slm info` and the server's context budget use), and each layer's keys and
// values are separate, cache-line aligned regions of one allocation.
#include <gtest/gtest.h>

#include <cstdint>

#include "model/kv_cache.h"
#include "model/transformer.h"
#include "slm/error.h"
#include "test_support.h"

namespace slm {
namespace {

TEST(KVCacheMemory, HalfPrecisionHalvesTheCacheAndMatchesThePrediction) {
  for (const char* fixture : {"tiny-qwen3", "tiny-gemma3", "tiny-qwen35"}) {
    const ModelConfig c = open_model_files(test::fixture(std::string("models/") + fixture))->config;
    for (DType t : {DType::F32, DType::F16}) {
      const KVCacheOptions options{.dtype = t};
      KVCache cache(c, 700, options);
      EXPECT_EQ(cache.dtype(), t);
      EXPECT_EQ(cache.bytes(), kv_cache_bytes(c, 700, options)) << fixture;
    }
    size_t attention_bytes[2] = {};
    for (int i = 0; i < 2; ++i) {
      KVCache cache(c, 700, {.dtype = i ? DType::F16 : DType::F32});
      size_t recurrent = 0;
      for (int64_t l = 0; l < c.n_layers; ++l) recurrent += (cache.recurrent(l).conv.size() + cache.recurrent(l).ssm.size()) * 4;
      attention_bytes[i] = cache.bytes() - recurrent;
    }
    EXPECT_EQ(attention_bytes[1] * 2, attention_bytes[0]) << fixture;
  }
}

TEST(KVCacheMemory, LayersAreDisjointAlignedRegions) {
  const ModelConfig c = open_model_files(test::fixture("models/tiny-qwen3"))->config;
  KVCache cache(c, 100, {.dtype = DType::F16});
  const size_t layer_bytes = static_cast<size_t>(c.n_kv_heads * cache.rows(0) * c.head_dim) * 2;
  for (int64_t l = 0; l < c.n_layers; ++l) {
    EXPECT_EQ(cache.rows(l), 100);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(cache.keys(l)) % 64, 0u);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(cache.values(l)) % 64, 0u);
    EXPECT_GE(cache.values(l) - cache.keys(l), static_cast<ptrdiff_t>(layer_bytes));
    if (l > 0) EXPECT_GE(cache.keys(l) - cache.values(l - 1), static_cast<ptrdiff_t>(layer_bytes));
  }
}

TEST(KVCacheMemory, CacheTypeNames) {
  EXPECT_EQ(parse_kv_cache_type("f16"), DType::F16);
  EXPECT_EQ(parse_kv_cache_type("f32"), DType::F32);
  EXPECT_THROW(parse_kv_cache_type("q8_0"), Error);
  const ModelConfig c = open_model_files(test::fixture("models/tiny-qwen3"))->config;
  EXPECT_THROW(KVCache(c, 10, {.dtype = DType::Q8_0}), Error);
}

}  // namespace
}  // namespace slm
