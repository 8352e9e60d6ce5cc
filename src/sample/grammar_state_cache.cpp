#include "sample/grammar_state_cache.h"

namespace slm {

int GrammarStateCache::intern(const GrammarMatcher::State& state) {
  auto [it, added] = ids_.emplace(state, static_cast<int>(states_.size()));
  if (added) {
    states_.push_back(state);
    std::array<int32_t, 256> unknown;
    unknown.fill(kUnknown);
    next_.push_back(unknown);
    distance_.push_back(GrammarMatcher::distance_to_complete(state));
  }
  return it->second;
}

int GrammarStateCache::step(int id, uint8_t byte) {
  int32_t& slot = next_[id][byte];
  if (slot != kUnknown) return slot;
  GrammarMatcher::State after = matcher_.advance(states_[id], byte);
  const int result = after.empty() ? -1 : intern(after);
  next_[id][byte] = result;  // `slot` may dangle: intern() can grow next_
  return result;
}

void GrammarStateCache::trim(size_t max_states) {
  if (states_.size() <= max_states) return;
  ids_.clear();
  states_.clear();
  next_.clear();
  distance_.clear();
}

}  // namespace slm
