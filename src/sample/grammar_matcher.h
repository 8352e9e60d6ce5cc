#pragma once
// Runs a Grammar over bytes as a pushdown automaton. The state is a set of stacks (one per way
// the bytes so far can be read, so alternatives such as anyOf are followed together); each stack
// holds positions in grammar sequences, the top being the next element to match.
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "sample/grammar.h"

namespace slm {

class GrammarMatcher {
 public:
  using Stack = std::vector<const GrammarElement*>;
  using State = std::vector<Stack>;

  explicit GrammarMatcher(std::shared_ptr<const Grammar> grammar);

  // The state after `byte`; empty when the byte cannot continue any reading.
  State advance(const State& state, uint8_t byte) const;
  // Consumes `bytes`; false (state unchanged) when they do not continue a valid prefix.
  bool accept(std::string_view bytes);

  const State& state() const { return state_; }
  // The input so far is a complete sentence of the grammar.
  bool is_complete() const { return is_complete(state_); }
  static bool is_complete(const State& state);
  // No byte can follow (complete, and nothing may be appended).
  static bool is_closed(const State& state);
  // Fewest bytes that still complete the input (0 when complete).
  static int distance_to_complete(const State& state);

  const Grammar& grammar() const { return *grammar_; }

 private:
  // Replaces rule references on top of `stack` by the rules' alternatives, adding every
  // resulting stack (whose top is a byte set, or empty when complete) to `out`.
  void expand(Stack stack, State& out) const;

  std::shared_ptr<const Grammar> grammar_;
  State state_;
};

}  // namespace slm
