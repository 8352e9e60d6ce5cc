#pragma once
// Keeps up to `parallel` generations in flight through the batched decoder: each decoder step
// runs every active sequence (a new prompt's prefill or one token of a running one) together.
// Each slot keeps its KV cache between requests and reuses the common prefix of the next prompt
// (the few-shot exemplars), so only the new question is prefilled.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "sample/sampler.h"

namespace slm::eval {

struct GenerationRequest {
  size_t tag = 0;                  // handed back with the result
  std::vector<int32_t> prompt;
  std::vector<std::string> stops;  // text stops; the output ends before the first one
  int max_tokens = 256;
  SamplerConfig sampler;
};

struct GenerationOutput {
  std::string text;
  std::string finish_reason;  // "stop" (EOS or a stop string) or "length"
  int64_t tokens = 0;         // generated, including any that formed a stop string
};

class BatchScheduler {
 public:
  // `context`: positions per slot; at least the longest prompt + max_tokens of the requests.
  BatchScheduler(Engine& engine, int parallel, int64_t context);

  // Runs every request; `on_done` is called (on this thread) as each one finishes.
  void run(const std::vector<GenerationRequest>& requests,
           const std::function<void(size_t tag, GenerationOutput output)>& on_done);

  int64_t prompt_tokens_processed() const { return prompt_tokens_; }
  int64_t prompt_tokens_reused() const { return reused_tokens_; }
  int64_t generated_tokens() const { return generated_tokens_; }

 private:
  struct Slot;
  Engine& engine_;
  int parallel_;
  int64_t context_;
  int64_t prompt_tokens_ = 0, reused_tokens_ = 0, generated_tokens_ = 0;
};

// Where the first stop string starts in `text` (searching from `from`), or npos.
size_t find_first_stop(const std::string& text, const std::vector<std::string>& stops, size_t from = 0);

}  // namespace slm::eval
