#include "eval/batch_scheduler.h"

#include <algorithm>
#include <deque>
#include <memory>

#include "model/kv_cache.h"
#include "slm/error.h"

namespace slm::eval {

size_t find_first_stop(const std::string& text, const std::vector<std::string>& stops, size_t from) {
  size_t best = std::string::npos;
  for (const auto& stop : stops) {
    if (stop.empty()) continue;
    const size_t at = text.find(stop, from);
    if (at < best) best = at;
  }
  return best;
}

namespace {

// Copying another slot's cache pays off only for a prefix longer than this.
constexpr size_t kMinShared = 16;

size_t common_prefix(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

}  // namespace

struct BatchScheduler::Slot {
  Slot(const ModelConfig& config, int64_t context, const KVCacheOptions& kv) : cache(config, context, kv) {}

  KVCache cache;
  std::vector<int32_t> cached;  // tokens whose keys/values are in the cache
  const GenerationRequest* request = nullptr;
  std::unique_ptr<Sampler> sampler;
  std::unique_ptr<IncrementalDecoder> decoder;
  std::vector<int32_t> pending;  // fed at the next step
  std::vector<int32_t> history;  // prompt + generated, for the repetition penalty
  std::string text;
  size_t stop_checked = 0;  // text before this offset cannot start a stop string
  int64_t generated = 0;
  bool prefill = false;
};

BatchScheduler::BatchScheduler(Engine& engine, int parallel, int64_t context)
    : engine_(engine), parallel_(std::max(1, parallel)), context_(context) {}

void BatchScheduler::run(const std::vector<GenerationRequest>& requests,
                         const std::function<void(size_t, GenerationOutput)>& on_done) {
  const Tokenizer& tok = engine_.require_tokenizer();
  const int64_t V = engine_.config().vocab_size;
  const auto& stop_ids = engine_.stop_ids();
  size_t max_stop = 0;
  for (const auto& r : requests) {
    if (r.prompt.empty()) throw Error("empty prompt");
    if (static_cast<int64_t>(r.prompt.size()) >= context_)
      throw Error("a prompt of " + std::to_string(r.prompt.size()) + " tokens does not fit the context of " +
                  std::to_string(context_));
    for (const auto& s : r.stops) max_stop = std::max(max_stop, s.size());
  }

  std::vector<std::unique_ptr<Slot>> slots;
  const size_t n_slots = std::min<size_t>(parallel_, requests.size());
  for (size_t i = 0; i < n_slots; ++i) slots.push_back(std::make_unique<Slot>(engine_.config(), context_, engine_.kv_cache_options()));
  ForwardScratch scratch;
  size_t next = 0;

  auto start = [&](Slot& s, const GenerationRequest& r) {
    // Reuse the longest common prefix, but always run the last prompt token for its logits.
    size_t keep = 0;
    while (keep < s.cached.size() && keep + 1 < r.prompt.size() && s.cached[keep] == r.prompt[keep]) ++keep;
    keep = static_cast<size_t>(s.cache.rollback(static_cast<int64_t>(keep)));
    s.cached.resize(keep);
    s.request = &r;
    s.sampler = std::make_unique<Sampler>(r.sampler);
    s.decoder = std::make_unique<IncrementalDecoder>(tok, false);
    s.decoder->prime(r.prompt);
    s.pending.assign(r.prompt.begin() + keep, r.prompt.end());
    s.history = r.prompt;
    s.text.clear();
    s.stop_checked = 0;
    s.generated = 0;
    s.prefill = true;
    reused_tokens_ += static_cast<int64_t>(keep);
    prompt_tokens_ += static_cast<int64_t>(s.pending.size());
  };
  auto finish = [&](Slot& s, std::string reason) {
    s.text += s.decoder->flush();
    const size_t at = find_first_stop(s.text, s.request->stops, s.stop_checked);
    if (at != std::string::npos) {
      s.text.resize(at);
      reason = "stop";
    }
    const GenerationRequest* r = s.request;
    s.request = nullptr;
    on_done(r->tag, GenerationOutput{std::move(s.text), std::move(reason), s.generated});
  };

  // Fills an idle slot. A prompt sharing a long prefix with another slot's cache (the few-shot
  // exemplars) starts from a copy of that cache; one sharing it with a prompt still waiting for
  // its prefill waits a step, so the shared part is computed once instead of once per slot.
  auto fill = [&](Slot& s) {
    const GenerationRequest& r = requests[next];
    const size_t own = common_prefix(s.cached, r.prompt);
    Slot* donor = nullptr;
    size_t donor_len = own;
    for (auto& other : slots) {
      if (other.get() == &s) continue;
      if (other->request && other->prefill && common_prefix(other->request->prompt, r.prompt) > donor_len + kMinShared)
        return false;
      const size_t shared = common_prefix(other->cached, r.prompt);
      if (shared > donor_len + kMinShared) {
        donor = other.get();
        donor_len = shared;
      }
    }
    if (donor) {
      s.cache = donor->cache;
      s.cached = donor->cached;
    }
    start(s, r);
    ++next;
    return true;
  };

  std::vector<BatchItem> items;
  std::vector<Slot*> active;
  for (;;) {
    for (auto& s : slots)
      if (!s->request && next < requests.size() && !fill(*s)) break;
    items.clear();
    active.clear();
    for (auto& s : slots)
      if (s->request) {
        items.push_back(BatchItem{s->pending, &s->cache, false});
        active.push_back(s.get());
      }
    if (active.empty()) break;
    engine_.model().forward_batch(items, scratch, engine_.pool());

    for (size_t i = 0; i < active.size(); ++i) {
      Slot& s = *active[i];
      s.cached.insert(s.cached.end(), s.pending.begin(), s.pending.end());
      if (s.prefill) s.cache.checkpoint();  // recurrent layers can resume the next prompt from here
      s.prefill = false;
      const float* logits = scratch.logits.data() + static_cast<int64_t>(i) * V;
      const int32_t id = s.sampler->sample(std::span<const float>(logits, V), s.history);
      if (std::find(stop_ids.begin(), stop_ids.end(), id) != stop_ids.end()) {
        finish(s, "stop");
        continue;
      }
      ++s.generated;
      ++generated_tokens_;
      s.history.push_back(id);
      s.text += s.decoder->push(id);
      const size_t at = find_first_stop(s.text, s.request->stops, s.stop_checked);
      if (at != std::string::npos) {
        s.text.resize(at);
        const GenerationRequest* r = s.request;
        s.request = nullptr;
        on_done(r->tag, GenerationOutput{std::move(s.text), "stop", s.generated});
        continue;
      }
      // A stop string can straddle what is already checked and what comes next.
      s.stop_checked = s.text.size() > max_stop ? s.text.size() - max_stop : 0;
      if (s.generated >= s.request->max_tokens || s.cache.size() + 1 > s.cache.capacity()) {
        finish(s, "length");
        continue;
      }
      s.pending.assign(1, id);
    }
  }
}

}  // namespace slm::eval
