#include "sample/grammar.h"

#include <algorithm>
#include <climits>

#include "slm/error.h"

namespace slm {

int Grammar::add_rule(std::string name) {
  rules_.emplace_back();
  names_.push_back(std::move(name));
  return static_cast<int>(rules_.size()) - 1;
}

void Grammar::add_alternative(int rule, GrammarSequence sequence) {
  sequence.push_back(GrammarElement{});  // end marker
  rules_.at(rule).push_back(std::move(sequence));
}

void Grammar::finalize() {
  // Fewest bytes each rule can match: a fixed point, since rules refer to each other.
  constexpr int kUnknown = INT_MAX / 4;
  min_length_.assign(rules_.size(), kUnknown);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t r = 0; r < rules_.size(); ++r)
      for (const auto& alt : rules_[r]) {
        int64_t len = 0;
        for (const auto& e : alt)
          len += e.kind == GrammarElement::kBytes ? 1 : e.kind == GrammarElement::kRule ? min_length_[e.rule] : 0;
        if (len < min_length_[r]) {
          min_length_[r] = static_cast<int>(len);
          changed = true;
        }
      }
  }
  for (size_t r = 0; r < rules_.size(); ++r) {
    if (rules_[r].empty()) throw Error("grammar rule '" + names_[r] + "' has no alternatives");
    if (min_length_[r] >= kUnknown) throw Error("grammar rule '" + names_[r] + "' can never complete");
    for (auto& alt : rules_[r]) {
      int tail = 0;
      for (size_t i = alt.size(); i-- > 0;) {
        const auto& e = alt[i];
        tail += e.kind == GrammarElement::kBytes ? 1 : e.kind == GrammarElement::kRule ? min_length_[e.rule] : 0;
        alt[i].tail_min = tail;
      }
    }
  }
  if (root_ < 0) throw Error("grammar has no root rule");
  check_left_recursion();
}

void Grammar::check_left_recursion() const {
  // r -> s when s can be the first thing r matches (everything before it may be empty). The
  // matcher expands references eagerly, so a cycle here would never end.
  std::vector<std::vector<int>> first(rules_.size());
  for (size_t r = 0; r < rules_.size(); ++r)
    for (const auto& alt : rules_[r])
      for (const auto& e : alt) {
        if (e.kind != GrammarElement::kRule) break;
        first[r].push_back(e.rule);
        if (min_length_[e.rule] > 0) break;
      }
  enum Mark : uint8_t { kNew, kActive, kDone };
  std::vector<Mark> mark(rules_.size(), kNew);
  for (size_t start = 0; start < rules_.size(); ++start) {
    if (mark[start] != kNew) continue;
    std::vector<std::pair<int, size_t>> path{{static_cast<int>(start), 0}};  // rule, next edge
    mark[start] = kActive;
    while (!path.empty()) {
      auto& [r, edge] = path.back();
      if (edge == first[r].size()) {
        mark[r] = kDone;
        path.pop_back();
        continue;
      }
      const int s = first[r][edge++];
      if (mark[s] == kActive) throw Error("grammar rule '" + names_[s] + "' refers to itself without consuming input");
      if (mark[s] == kNew) {
        mark[s] = kActive;
        path.push_back({s, 0});
      }
    }
  }
}

GrammarElement grammar_bytes(std::bitset<256> bytes) {
  GrammarElement e;
  e.kind = GrammarElement::kBytes;
  e.bytes = bytes;
  return e;
}

GrammarElement grammar_byte_range(uint8_t lo, uint8_t hi) {
  std::bitset<256> b;
  for (int c = lo; c <= hi; ++c) b.set(c);
  return grammar_bytes(b);
}

GrammarElement grammar_ref(int rule) {
  GrammarElement e;
  e.kind = GrammarElement::kRule;
  e.rule = rule;
  return e;
}

void append_literal(GrammarSequence& seq, std::string_view text) {
  for (unsigned char c : text) seq.push_back(grammar_byte_range(c, c));
}

GrammarSequence literal_sequence(std::string_view text) {
  GrammarSequence seq;
  append_literal(seq, text);
  return seq;
}

}  // namespace slm
