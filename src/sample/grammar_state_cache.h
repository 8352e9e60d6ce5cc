#pragma once
// Interned matcher states with memoized byte transitions. Computing a token mask walks the
// vocabulary trie, advancing the matcher by every byte of every token; most of those advances
// repeat (inside a JSON string each plain character leads back to the same state), so each
// distinct (state, byte) pair is computed once and then looked up.
#include <array>
#include <cstdint>
#include <map>
#include <vector>

#include "sample/grammar_matcher.h"

namespace slm {

class GrammarStateCache {
 public:
  explicit GrammarStateCache(const GrammarMatcher& matcher) : matcher_(matcher) {}

  int intern(const GrammarMatcher::State& state);
  // The state after `byte`, or -1 when the byte cannot follow.
  int step(int id, uint8_t byte);
  int distance(int id) const { return distance_[id]; }
  size_t size() const { return states_.size(); }
  // Forgets everything once more than `max_states` are held (bounds memory on long outputs).
  void trim(size_t max_states);

 private:
  static constexpr int kUnknown = -2;
  const GrammarMatcher& matcher_;
  std::map<GrammarMatcher::State, int> ids_;
  std::vector<GrammarMatcher::State> states_;
  std::vector<std::array<int32_t, 256>> next_;
  std::vector<int> distance_;
};

}  // namespace slm
