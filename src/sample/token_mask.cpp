#include "sample/token_mask.h"

#include <algorithm>
#include <limits>

namespace slm {

TokenMask compute_token_mask(const GrammarMatcher& matcher, const TokenBytes& vocab, GrammarStateCache& cache) {
  TokenMask mask;
  mask.allowed.assign(vocab.size(), 0);
  mask.distance.assign(vocab.size(), std::numeric_limits<int>::max());
  mask.end_allowed = matcher.is_complete();
  mask.distance_now = GrammarMatcher::distance_to_complete(matcher.state());
  cache.trim(1 << 16);
  // state_at[d]: the state after the first d bytes of the current trie path.
  std::vector<int> state_at(vocab.max_depth() + 1);
  state_at[0] = cache.intern(matcher.state());
  const auto& trie = vocab.trie();
  const auto& tokens = vocab.trie_tokens();
  for (size_t i = 0; i < trie.size();) {
    const auto& node = trie[i];
    const int next = cache.step(state_at[node.depth - 1], node.byte);
    if (next < 0) {
      i = static_cast<size_t>(node.subtree_end);
      continue;
    }
    state_at[node.depth] = next;
    for (int32_t t = node.tokens_begin; t < node.tokens_end; ++t) {
      mask.allowed[tokens[t]] = 1;
      mask.distance[tokens[t]] = cache.distance(next);
    }
    ++i;
  }
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
