#pragma once
// A loaded model ready to generate: decoder weights, tokenizer (when the model has one) and
// the worker pool. Sessions hold the per-conversation state (KV cache) over it.
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/thread_pool.h"
#include "model/kv_cache.h"
#include "model/transformer.h"
#include "sample/sampler.h"
#include "text/tokenizer.h"

namespace slm {

struct LoadOptions {
  int threads = 0;        // 0 = physical cores
  std::string quant;      // "" = as stored; else a scheme ("Q8_0", "Q4_K_M", …) applied in memory at load
  std::string matformer;  // a MatFormer slice file (Gemma 3n sub-model selection); "" = the full model
  // GGUF weights are read into huge-page memory (faster per token than a mapping) unless this is
  // set or memory is short; a mapping opens instantly and shares the page cache.
  bool mmap = false;
  DType kv_type = DType::F16;  // of the KV caches sessions create (F16 or F32)
};

class Engine {
 public:
  static std::unique_ptr<Engine> load(const std::string& path, const LoadOptions& options = {});

  const Transformer& model() const { return *model_; }
  const ModelConfig& config() const { return model_->config(); }
  // nullptr when the model ships no tokenizer.
  const Tokenizer* tokenizer() const { return tokenizer_.get(); }
  // The tokenizer, or an slm::Error saying the model has none.
  const Tokenizer& require_tokenizer() const;
  ThreadPool& pool() { return *pool_; }
  double load_seconds() const { return load_seconds_; }
  // How every KV cache for this engine is laid out (the element type chosen at load).
  const KVCacheOptions& kv_cache_options() const { return kv_options_; }
  // Token ids that end generation (config eos ids and the tokenizer's EOS).
  const std::vector<int32_t>& stop_ids() const { return stop_ids_; }

 private:
  std::unique_ptr<Transformer> model_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::unique_ptr<ThreadPool> pool_;
  std::vector<int32_t> stop_ids_;
  double load_seconds_ = 0;
  KVCacheOptions kv_options_;
};

struct GenerateOptions {
  int max_tokens = 128;
  SamplerConfig sampler;
  bool stop_at_eos = true;
  bool keep_prompt_logits = false;  // fill GenerationResult::prompt_logits
};

struct GenerationResult {
  std::vector<int32_t> ids;        // generated tokens (a stop token is not included)
  std::string finish_reason;       // "stop" (EOS or callback) or "length" (max_tokens or context full)
  std::vector<float> prompt_logits;  // [prompt_tokens_processed][vocab] when requested
  int64_t prompt_tokens_reused = 0;  // served from the KV cache of earlier calls
  int64_t prompt_tokens_processed = 0;
  double prompt_seconds = 0, generate_seconds = 0;
};

class Session {
 public:
  Session(Engine& engine, int64_t context);

  // Generates a continuation of `prompt`. The longest prefix of `prompt` already in the KV cache
  // (from earlier calls) is reused, so a follow-up chat turn processes only its new tokens.
  // on_token returns false to stop early.
  GenerationResult generate(std::span<const int32_t> prompt, const GenerateOptions& options,
                            const std::function<bool(int32_t)>& on_token = nullptr);

  // Tokens whose keys/values are in the cache.
  const std::vector<int32_t>& cached_tokens() const { return cached_; }
  int64_t context() const { return cache_.capacity(); }
  void reset();

 private:
  Engine& engine_;
  KVCache cache_;
  ForwardScratch scratch_;
  std::vector<int32_t> cached_;
};

// The model's trained context, capped at `cap` so the default KV cache stays laptop-sized.
int64_t default_context(const ModelConfig& config, int64_t cap = 4096);

}  // namespace slm
