#pragma once
// A decoding slot: one KV cache and the state of the job using it. Between jobs the cache
// keeps its tokens, so a later prompt sharing a prefix reuses them.
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "model/kv_cache.h"
#include "sample/grammar_matcher.h"
#include "sample/grammar_state_cache.h"
#include "sample/sampler.h"
#include "serve/generation_job.h"

namespace slm::serve {

class Slot {
 public:
  Slot(const ModelConfig& config, int64_t context, const KVCacheOptions& kv) : cache_(config, context, kv) {}

  bool busy() const { return job_ != nullptr; }
  GenerationJob& job() { return *job_; }
  // How many leading tokens of `prompt` this slot's cache already holds.
  size_t common_prefix(std::span<const int32_t> prompt) const;

  // Takes the job: keeps the shared prefix, queues the rest of the prompt.
  void start(std::shared_ptr<GenerationJob> job, uint64_t tick);
  // The tokens to run this step: the next prompt chunk, or the last sampled token.
  std::span<const int32_t> next_input(int64_t max_chunk) const;
  // Records that next_input(max_chunk) ran; true when the step's logits pick the next token.
  bool consumed(int64_t max_chunk);
  // After sampling `token`: it is fed at the next step.
  void push_generated(int32_t token);
  void release() { job_.reset(); }

  KVCache& cache() { return cache_; }
  Sampler& sampler() { return *sampler_; }
  GrammarMatcher* matcher() { return matcher_.get(); }
  GrammarStateCache& grammar_cache() { return *grammar_cache_; }
  const std::vector<int32_t>& history() const { return history_; }
  const std::unordered_map<int32_t, int>& counts() const { return counts_; }
  int generated() const { return generated_; }
  int64_t reused() const { return reused_; }
  uint64_t last_used() const { return last_used_; }
  double started_at = 0, first_token_at = 0;

 private:
  KVCache cache_;
  std::vector<int32_t> cached_;  // tokens whose keys/values are in the cache
  std::shared_ptr<GenerationJob> job_;
  std::vector<int32_t> input_;   // tokens still to run
  std::unique_ptr<Sampler> sampler_;
  std::unique_ptr<GrammarMatcher> matcher_;
  std::unique_ptr<GrammarStateCache> grammar_cache_;  // for matcher_
  std::vector<int32_t> history_;  // prompt + generated, for the repetition penalty
  std::unordered_map<int32_t, int> counts_;  // generated token counts, for presence/frequency
  int generated_ = 0;
  int64_t reused_ = 0;
  uint64_t last_used_ = 0;
};

}  // namespace slm::serve
