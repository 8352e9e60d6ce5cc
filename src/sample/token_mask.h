#pragma once
// Per-step constrained decoding: which tokens may follow the text matched so far, and how
// close each would bring the text to a complete sentence of the grammar.
#include <cstdint>
#include <span>
#include <vector>

#include "sample/grammar_matcher.h"
#include "sample/grammar_state_cache.h"
#include "sample/token_bytes.h"

namespace slm {

struct TokenMask {
  std::vector<uint8_t> allowed;  // per token id
  std::vector<int> distance;     // per allowed token: bytes still needed after it
  bool end_allowed = false;      // the text is complete, so end-of-sequence may be chosen
  int distance_now = 0;
};

// `cache` must belong to `matcher` and may be kept between steps (it speeds up later masks).
TokenMask compute_token_mask(const GrammarMatcher& matcher, const TokenBytes& vocab, GrammarStateCache& cache);

// Sets the logits of disallowed tokens to -inf; `end_ids` stay allowed only when the text is
// complete. `budget` is how many tokens may still be generated, this one included: a token is
// allowed only if the text can still be completed after it within the rest of the budget
// (every single byte being a token, the shortest completion takes at most its length in
// tokens), so output cut by max_tokens still parses. When nothing fits, the tokens that come
// closest stay.
void apply_token_mask(const TokenMask& mask, std::span<float> logits, std::span<const int32_t> end_ids, int64_t budget);

}  // namespace slm
