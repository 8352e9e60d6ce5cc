#include "serve/slot.h"

#include <algorithm>

namespace slm::serve {

size_t Slot::common_prefix(std::span<const int32_t> prompt) const {
  size_t n = 0;
  while (n < cached_.size() && n < prompt.size() && cached_[n] == prompt[n]) ++n;
  return n;
}

void Slot::start(std::shared_ptr<GenerationJob> job, uint64_t tick) {
  job_ = std::move(job);
  last_used_ = tick;
  const auto& prompt = job_->prompt;
  size_t keep = common_prefix(prompt);
  if (keep == prompt.size()) --keep;  // the last prompt token must run again for its logits
  keep = static_cast<size_t>(cache_.rollback(static_cast<int64_t>(keep)));
  cached_.resize(keep);
  reused_ = static_cast<int64_t>(keep);
  input_.assign(prompt.begin() + static_cast<std::ptrdiff_t>(keep), prompt.end());
  sampler_ = std::make_unique<Sampler>(job_->sampler);
  grammar_cache_.reset();
  matcher_ = job_->grammar ? std::make_unique<GrammarMatcher>(job_->grammar) : nullptr;
  if (matcher_) grammar_cache_ = std::make_unique<GrammarStateCache>(*matcher_);
  history_ = prompt;
  counts_.clear();
  generated_ = 0;
  first_token_at = 0;
}

std::span<const int32_t> Slot::next_input(int64_t max_chunk) const {
  const size_t n = max_chunk > 0 ? std::min<size_t>(input_.size(), static_cast<size_t>(max_chunk)) : input_.size();
  return std::span<const int32_t>(input_.data(), n);
}

bool Slot::consumed(int64_t max_chunk) {
  const auto ran = next_input(max_chunk);
  const bool was_prompt = generated_ == 0;
  cached_.insert(cached_.end(), ran.begin(), ran.end());
  input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(ran.size()));
  if (input_.empty() && was_prompt) cache_.checkpoint();  // a turn boundary for recurrent layers
  return input_.empty();
}

void Slot::push_generated(int32_t token) {
  history_.push_back(token);
  ++counts_[token];
  ++generated_;
  input_.assign(1, token);
}

}  // namespace slm::serve
