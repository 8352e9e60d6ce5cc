#pragma once
// Continuous batching: one thread runs decoder steps over every busy slot at once through
// Transformer::forward_batch. Waiting jobs join free slots between steps (the slot whose cache
// shares the longest prefix with the prompt wins), finished or cancelled jobs leave, and a
// bounded queue refuses work beyond it.
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "sample/token_bytes.h"
#include "serve/generation_job.h"
#include "serve/slot.h"

namespace slm::serve {

struct SchedulerOptions {
  int parallel = 4;          // slots decoded together
  int64_t context = 4096;    // tokens per slot
  size_t max_queue = 64;     // jobs waiting for a slot before submit() refuses
  int64_t prefill_chunk = 512;  // prompt tokens per slot per step, so decoding slots keep flowing
  std::vector<std::string> kept_specials;  // special tokens whose text the output keeps
};

class Scheduler {
 public:
  Scheduler(Engine& engine, SchedulerOptions options);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Queues the job; throws ApiError 503 when the queue is full.
  void submit(std::shared_ptr<GenerationJob> job);

  int64_t context() const { return options_.context; }
  int parallel() const { return options_.parallel; }
  // Bytes of every token, for grammar masks (built on first use).
  const TokenBytes& token_bytes();
  size_t queued() const;
  int busy_slots() const { return busy_.load(); }
  uint64_t finished_jobs() const { return finished_.load(); }
  uint64_t cancelled_jobs() const { return cancelled_.load(); }
  // The most sequences one decoder step has run together so far.
  int largest_batch() const { return largest_batch_.load(); }

 private:
  void run();
  void admit_waiting_jobs();
  void step();
  // Samples the next token of `slot` from `logits`; false when the job is done.
  bool sample_next(Slot& slot, const float* logits);
  void finish(Slot& slot, const std::string& reason, const std::string& error = "");

  Engine& engine_;
  SchedulerOptions options_;
  std::vector<std::unique_ptr<Slot>> slots_;
  ForwardScratch scratch_;
  std::vector<float> work_logits_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<GenerationJob>> queue_;
  bool stopping_ = false;
  std::atomic<int> busy_{0};
  std::atomic<uint64_t> finished_{0}, cancelled_{0};
  std::atomic<int> largest_batch_{0};
  uint64_t tick_ = 0;

  std::once_flag token_bytes_once_;
  std::unique_ptr<TokenBytes> token_bytes_;
  std::thread thread_;
  std::thread warmup_;
};

}  // namespace slm::serve
