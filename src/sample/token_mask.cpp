#include "sample/token_mask.h"

#include <algorithm>
#include <limits>

namespace slm {

namespace {

void walk(const GrammarMatcher& m, const TokenBytes& vocab, int32_t node, const GrammarMatcher::State& state,
          TokenMask& mask) {
  for (const auto& [byte, child] : vocab.trie()[node].children) {
    GrammarMatcher::State next = m.advance(state, byte);
    if (next.empty()) continue;
    const auto& ends = vocab.trie()[child].tokens;
    if (!ends.empty()) {
      const int d = GrammarMatcher::distance_to_complete(next);
      for (int32_t id : ends) {
        mask.allowed[id] = 1;
        mask.distance[id] = d;
      }
    }
    walk(m, vocab, child, next, mask);
  }
}

}  // namespace

TokenMask compute_token_mask(const GrammarMatcher& matcher, const TokenBytes& vocab) {
  TokenMask mask;
  mask.allowed.assign(vocab.size(), 0);
  mask.distance.assign(vocab.size(), std::numeric_limits<int>::max());
  mask.end_allowed = matcher.is_complete();
  mask.distance_now = GrammarMatcher::distance_to_complete(matcher.state());
  walk(matcher, vocab, 0, matcher.state(), mask);
  return mask;
}

void apply_token_mask(const TokenMask& mask, std::span<float> logits, std::span<const int32_t> end_ids, int64_t budget) {
  const float kBlocked = -std::numeric_limits<float>::infinity();
  std::vector<std::pair<int32_t, float>> end_logits;
  for (int32_t id : end_ids)
    if (id >= 0 && static_cast<size_t>(id) < logits.size()) end_logits.emplace_back(id, logits[id]);
  // Tokens after which the text can still be completed with the tokens left.
  int64_t limit = budget - 1;
  int64_t closest = std::numeric_limits<int64_t>::max();
  for (size_t i = 0; i < mask.allowed.size() && i < logits.size(); ++i)
    if (mask.allowed[i]) closest = std::min<int64_t>(closest, mask.distance[i]);
  if (closest > limit) limit = mask.end_allowed ? -1 : closest;  // complete: just end
  for (size_t i = 0; i < logits.size(); ++i) {
    const bool ok = i < mask.allowed.size() && mask.allowed[i] && mask.distance[i] <= limit;
    if (!ok) logits[i] = kBlocked;
  }
  if (mask.end_allowed)
    for (auto [id, value] : end_logits) logits[id] = value;
}

}  // namespace slm
