#pragma once
// Log-likelihood of continuations given a context (multiple-choice scoring). The context is
// run once per document; each choice rolls the KV cache back to the end of the context and runs
// only its own tokens. Up to `parallel` documents go through each decoder step together.
#include <cstdint>
#include <functional>
#include <vector>

#include "engine/engine.h"
#include "eval/bos_policy.h"

namespace slm::eval {

struct ChoiceRequest {
  size_t tag = 0;
  std::vector<int32_t> context;
  std::vector<std::vector<int32_t>> continuations;  // each non-empty
};

// The harness's split: context and continuation are encoded so that their concatenation is the
// encoding of context + continuation, with trailing whitespace of the context moved onto the
// continuation. Returns {context ids, continuation ids}.
std::pair<std::vector<int32_t>, std::vector<int32_t>> encode_pair(const Tokenizer& tok, std::string context,
                                                                  std::string continuation,
                                                                  BosPolicy bos = BosPolicy::tokenizer);

class ChoiceScorer {
 public:
  ChoiceScorer(Engine& engine, int parallel, int64_t context);
  // on_done(tag, summed log-prob of each continuation), in request order within each group.
  void run(const std::vector<ChoiceRequest>& requests,
           const std::function<void(size_t tag, std::vector<double> loglikelihoods)>& on_done);

  int64_t tokens_processed() const { return processed_; }
  int64_t tokens_reused() const { return reused_; }  // served from the cache (shared context)

 private:
  Engine& engine_;
  int parallel_;
  int64_t context_;
  int64_t processed_ = 0, reused_ = 0;
};

}  // namespace slm::eval
