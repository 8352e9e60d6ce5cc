#include "sample/grammar_matcher.h"

#include <algorithm>
#include <climits>

#include "slm/error.h"

namespace slm {

namespace {
// Guards against grammars that fork without bound (deeply ambiguous anyOf).
constexpr size_t kMaxStacks = 4096;

void normalize(GrammarMatcher::State& state) {
  std::sort(state.begin(), state.end());
  state.erase(std::unique(state.begin(), state.end()), state.end());
}
}  // namespace

GrammarMatcher::GrammarMatcher(std::shared_ptr<const Grammar> grammar) : grammar_(std::move(grammar)) {
  const auto& alts = grammar_->alternatives(grammar_->root());
  for (const auto& alt : alts) {
    Stack s;
    if (alt[0].kind != GrammarElement::kEnd) s.push_back(&alt[0]);
    expand(std::move(s), state_);
  }
  normalize(state_);
}

void GrammarMatcher::expand(Stack stack, State& out) const {
  if (out.size() > kMaxStacks) throw Error("grammar is too ambiguous to match");
  if (stack.empty() || stack.back()->kind == GrammarElement::kBytes) {
    out.push_back(std::move(stack));
    return;
  }
  const GrammarElement* top = stack.back();
  stack.pop_back();
  if (top->kind == GrammarElement::kEnd) {
    expand(std::move(stack), out);
    return;
  }
  // Continue the parent after the reference, unless the reference was its last element
  // (dropping finished frames keeps right recursion from growing the stack).
  if ((top + 1)->kind != GrammarElement::kEnd) stack.push_back(top + 1);
  for (const auto& alt : grammar_->alternatives(top->rule)) {
    Stack s = stack;
    if (alt[0].kind != GrammarElement::kEnd) s.push_back(&alt[0]);
    expand(std::move(s), out);
  }
}

GrammarMatcher::State GrammarMatcher::advance(const State& state, uint8_t byte) const {
  State next;
  for (const Stack& stack : state) {
    if (stack.empty() || !stack.back()->bytes.test(byte)) continue;
    Stack s = stack;
    const GrammarElement* after = s.back() + 1;
    s.pop_back();
    if (after->kind != GrammarElement::kEnd) s.push_back(after);
    expand(std::move(s), next);
  }
  normalize(next);
  return next;
}

bool GrammarMatcher::accept(std::string_view bytes) {
  State s = state_;
  for (unsigned char c : bytes) {
    s = advance(s, c);
    if (s.empty()) return false;
  }
  state_ = std::move(s);
  return true;
}

bool GrammarMatcher::is_complete(const State& state) {
  return std::any_of(state.begin(), state.end(), [](const Stack& s) { return s.empty(); });
}

bool GrammarMatcher::is_closed(const State& state) {
  return std::all_of(state.begin(), state.end(), [](const Stack& s) { return s.empty(); });
}

int GrammarMatcher::distance_to_complete(const State& state) {
  int best = INT_MAX;
  for (const Stack& s : state) {
    int d = 0;
    for (const GrammarElement* e : s) d += e->tail_min;
    best = std::min(best, d);
  }
  return best;
}

}  // namespace slm
