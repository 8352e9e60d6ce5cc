#include "serve/scheduler.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "sample/token_mask.h"
#include "serve/openai_errors.h"

namespace slm::serve {

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// log-softmax of `logits` at `id`, and the `k` most likely tokens.
GeneratedToken with_logprobs(int32_t id, std::span<const float> logits, int k) {
  GeneratedToken t{id};
  const float max_l = *std::max_element(logits.begin(), logits.end());
  double sum = 0;
  for (float l : logits) sum += std::exp(static_cast<double>(l - max_l));
  const float log_z = max_l + static_cast<float>(std::log(sum));
  t.logprob = logits[id] - log_z;
  if (k > 0) {
    std::vector<int32_t> ids(logits.size());
    for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int32_t>(i);
    const size_t n = std::min<size_t>(k, ids.size());
    std::partial_sort(ids.begin(), ids.begin() + n, ids.end(),
                      [&](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); });
    for (size_t i = 0; i < n; ++i) t.top.push_back({ids[i], logits[ids[i]] - log_z});
  }
  return t;
}

}  // namespace

Scheduler::Scheduler(Engine& engine, SchedulerOptions options) : engine_(engine), options_(std::move(options)) {
  for (int i = 0; i < options_.parallel; ++i)
    slots_.push_back(std::make_unique<Slot>(engine_.config(), options_.context, engine_.kv_cache_options()));
  thread_ = std::thread([this] { run(); });
  // The token bytes take a pass over the vocabulary: build them now, not in the first
  // structured-output request.
  if (engine_.tokenizer()) warmup_ = std::thread([this] { token_bytes(); });
}

Scheduler::~Scheduler() {
  if (warmup_.joinable()) warmup_.join();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  for (auto& job : queue_) {
    JobResult r;
    r.finish_reason = "cancelled";
    if (job->on_finish) job->on_finish(r);
  }
}

void Scheduler::submit(std::shared_ptr<GenerationJob> job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (queue_.size() >= options_.max_queue) throw server_busy();
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
}

size_t Scheduler::queued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

const TokenBytes& Scheduler::token_bytes() {
  std::call_once(token_bytes_once_, [this] {
    token_bytes_ = std::make_unique<TokenBytes>(engine_.require_tokenizer(), options_.kept_specials);
  });
  return *token_bytes_;
}

void Scheduler::run() {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty() || busy_.load() > 0; });
      if (stopping_) break;
    }
    admit_waiting_jobs();
    step();
  }
  for (auto& slot : slots_)
    if (slot->busy()) finish(*slot, "cancelled");
}

void Scheduler::admit_waiting_jobs() {
  std::lock_guard<std::mutex> lock(mutex_);
  while (!queue_.empty()) {
    auto job = queue_.front();
    if (job->cancelled) {
      queue_.pop_front();
      JobResult r;
      r.finish_reason = "cancelled";
      if (job->on_finish) job->on_finish(r);
      continue;
    }
    Slot* best = nullptr;
    size_t best_prefix = 0;
    for (auto& slot : slots_) {
      if (slot->busy()) continue;
      const size_t prefix = slot->common_prefix(job->prompt);
      if (!best || prefix > best_prefix || (prefix == best_prefix && slot->last_used() < best->last_used())) {
        best = slot.get();
        best_prefix = prefix;
      }
    }
    if (!best) break;
    queue_.pop_front();
    best->start(std::move(job), ++tick_);
    best->started_at = now_seconds();
    ++busy_;
  }
}

void Scheduler::step() {
  std::vector<BatchItem> items;
  std::vector<Slot*> running;
  for (auto& slot : slots_) {
    if (!slot->busy()) continue;
    if (slot->job().cancelled) {
      finish(*slot, "cancelled");
      continue;
    }
    int64_t chunk = options_.prefill_chunk;
    if (slot->cache().max_chunk() > 0) chunk = std::min(chunk, slot->cache().max_chunk());
    items.push_back(BatchItem{slot->next_input(chunk), &slot->cache(), false});
    running.push_back(slot.get());
  }
  if (items.empty()) return;
  largest_batch_ = std::max(largest_batch_.load(), static_cast<int>(items.size()));
  try {
    engine_.model().forward_batch(items, scratch_, engine_.pool());
  } catch (const std::exception& e) {
    for (Slot* slot : running) finish(*slot, "error", e.what());
    return;
  }
  const int64_t V = engine_.config().vocab_size;
  for (size_t i = 0; i < running.size(); ++i) {
    Slot& slot = *running[i];
    int64_t chunk = options_.prefill_chunk;
    if (slot.cache().max_chunk() > 0) chunk = std::min(chunk, slot.cache().max_chunk());
    if (!slot.consumed(chunk)) continue;  // more prompt to run first
    try {
      sample_next(slot, scratch_.logits.data() + static_cast<int64_t>(i) * V);
    } catch (const std::exception& e) {
      finish(slot, "error", e.what());
    }
  }
}

bool Scheduler::sample_next(Slot& slot, const float* raw) {
  GenerationJob& job = slot.job();
  const int64_t V = engine_.config().vocab_size;
  const auto& stops = engine_.stop_ids();
  work_logits_.assign(raw, raw + V);
  for (const auto& [id, count] : slot.counts())
    work_logits_[id] -= job.presence_penalty + job.frequency_penalty * static_cast<float>(count);

  const int64_t room = slot.cache().capacity() - slot.cache().size();
  const int64_t remaining = std::min<int64_t>(job.max_tokens - slot.generated(), room + 1);
  if (GrammarMatcher* m = slot.matcher()) {
    const TokenMask mask = compute_token_mask(*m, token_bytes(), slot.grammar_cache());
    const bool any = std::any_of(mask.allowed.begin(), mask.allowed.end(), [](uint8_t a) { return a != 0; });
    if (!any && !mask.end_allowed) {
      finish(slot, "stop");
      return false;
    }
    apply_token_mask(mask, work_logits_, stops, remaining);
    if (std::none_of(work_logits_.begin(), work_logits_.end(), [](float l) { return std::isfinite(l); })) {
      finish(slot, m->is_complete() ? "stop" : "length");  // nothing may follow (no end token to pick)
      return false;
    }
  }
  const int32_t token = slot.sampler().sample(work_logits_, slot.history());
  if (std::find(stops.begin(), stops.end(), token) != stops.end()) {
    finish(slot, "stop");
    return false;
  }
  if (GrammarMatcher* m = slot.matcher()) m->accept(token_bytes().bytes(token));
  slot.push_generated(token);
  if (slot.first_token_at == 0) slot.first_token_at = now_seconds();

  GeneratedToken out{token};
  if (job.top_logprobs >= 0) out = with_logprobs(token, std::span<const float>(raw, V), job.top_logprobs);
  if (job.on_token && !job.on_token(out)) {
    finish(slot, "stop");
    return false;
  }
  if (slot.matcher() && GrammarMatcher::is_closed(slot.matcher()->state())) {
    finish(slot, "stop");
    return false;
  }
  if (slot.generated() >= job.max_tokens || slot.cache().size() >= slot.cache().capacity()) {
    finish(slot, "length");
    return false;
  }
  return true;
}

void Scheduler::finish(Slot& slot, const std::string& reason, const std::string& error) {
  GenerationJob& job = slot.job();
  JobResult r;
  r.finish_reason = reason;
  r.error = error;
  r.prompt_tokens = static_cast<int64_t>(job.prompt.size());
  r.completion_tokens = slot.generated();
  r.cached_tokens = slot.reused();
  const double t = now_seconds();
  r.time_to_first_token = slot.first_token_at > 0 ? slot.first_token_at - slot.started_at : 0;
  r.total_seconds = t - slot.started_at;
  ++(reason == "cancelled" ? cancelled_ : finished_);
  if (job.on_finish) job.on_finish(r);
  slot.release();
  --busy_;
}

}  // namespace slm::serve
