#pragma once
// A context-free grammar over bytes, the form constrained decoding matches against.
// Each rule is a list of alternatives; an alternative is a sequence of elements (a byte set or
// a reference to another rule) closed by an end marker. Rules must not be left-recursive;
// repetition is written with right recursion, which the matcher runs without growing its stack.
#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace slm {

struct GrammarElement {
  enum Kind : uint8_t { kBytes, kRule, kEnd };
  Kind kind = kEnd;
  std::bitset<256> bytes;  // kBytes: the bytes accepted here
  int rule = -1;           // kRule: the rule referenced
  int tail_min = 0;        // fewest bytes that complete the alternative from this element on
};

using GrammarSequence = std::vector<GrammarElement>;

class Grammar {
 public:
  // A new rule with no alternatives yet; returns its id.
  int add_rule(std::string name);
  // Appends one alternative (without its end marker) to `rule`.
  void add_alternative(int rule, GrammarSequence sequence);
  void set_root(int rule) { root_ = rule; }
  // Computes the completion distances; call once after the last rule is added.
  void finalize();

  int root() const { return root_; }
  size_t rule_count() const { return rules_.size(); }
  const std::vector<GrammarSequence>& alternatives(int rule) const { return rules_[rule]; }
  const std::string& rule_name(int rule) const { return names_[rule]; }
  int min_length(int rule) const { return min_length_[rule]; }

 private:
  // Throws slm::Error for a rule that can reach itself before matching a byte.
  void check_left_recursion() const;

  std::vector<std::vector<GrammarSequence>> rules_;
  std::vector<std::string> names_;
  std::vector<int> min_length_;
  int root_ = -1;
};

// Builders for sequences.
GrammarElement grammar_bytes(std::bitset<256> bytes);
GrammarElement grammar_byte_range(uint8_t lo, uint8_t hi);
GrammarElement grammar_ref(int rule);
// Appends one element per byte of `text`.
void append_literal(GrammarSequence& seq, std::string_view text);
GrammarSequence literal_sequence(std::string_view text);

}  // namespace slm
