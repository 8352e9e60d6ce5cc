#pragma once
// One request's generation as the scheduler sees it: the prompt, how to sample, and where
// the tokens go. The callbacks run on the scheduler thread and must return quickly.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sample/grammar.h"
#include "sample/sampler.h"

namespace slm::serve {

struct TokenLogprob {
  int32_t id;
  float logprob;
};

struct GeneratedToken {
  int32_t id;
  float logprob = 0;               // set when the job asked for logprobs
  std::vector<TokenLogprob> top = {};  // the job's top_logprobs most likely tokens
};

struct JobResult {
  std::string finish_reason;  // "stop", "length", "cancelled" or "error"
  std::string error;          // when finish_reason is "error"
  int64_t prompt_tokens = 0, completion_tokens = 0, cached_tokens = 0;
  double time_to_first_token = 0, total_seconds = 0;
};

struct GenerationJob {
  std::vector<int32_t> prompt;
  SamplerConfig sampler;
  float presence_penalty = 0, frequency_penalty = 0;
  int max_tokens = 16;
  int top_logprobs = -1;  // -1: no logprobs; 0..20: the chosen token's and this many more
  std::shared_ptr<const Grammar> grammar;  // constrained decoding when set

  // Returns false to stop generating (finish reason "stop"), e.g. at a stop string.
  std::function<bool(const GeneratedToken&)> on_token;
  std::function<void(const JobResult&)> on_finish;

  std::atomic<bool> cancelled{false};  // set by the connection when the client goes away
};

}  // namespace slm::serve
