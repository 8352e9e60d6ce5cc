#include "base/thread_pool.h"

#include <algorithm>

#include <chrono>
#include <fstream>
#include <set>
#include <string>
#include <utility>

namespace slm {

namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// How long to spin before sleeping adapts: it grows while spinning pays off (a dedicated
// machine, the gaps between the ops of a forward pass) and halves each time it does not (the
// other thread was not running: an oversubscribed machine, where spinning only steals the core).
// Waking a sleeping thread costs tens of microseconds (far more in a VM), and a decoded token
// runs hundreds of parallel ops, so the ceiling is generous: a waiting thread sleeps only when
// the gap is clearly longer than a wake-up.
constexpr int64_t kMaxSpinNs = 1000000;

// Spins until done() or `budget` ns have passed, adjusting the budget; true when done.
template <typename Done>
bool spin_until(Done done, std::atomic<int64_t>& budget_ns) {
  const int64_t budget = budget_ns.load(std::memory_order_relaxed);
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    for (int i = 0; i < 16; ++i) {
      if (done()) {
        budget_ns.store(std::min(kMaxSpinNs, budget + budget / 4 + 500), std::memory_order_relaxed);
        return true;
      }
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() - start > std::chrono::nanoseconds(budget)) {
      budget_ns.store(budget / 2, std::memory_order_relaxed);
      return done();
    }
  }
}

std::pair<size_t, size_t> chunk(size_t n, int parts, int index) {
  size_t base = n / parts, extra = n % parts;
  size_t begin = index * base + std::min<size_t>(index, extra);
  size_t end = begin + base + (static_cast<size_t>(index) < extra ? 1 : 0);
  return {begin, end};
}

}  // namespace

ThreadPool::ThreadPool(int n_threads) : n_threads_(n_threads < 1 ? 1 : n_threads) {
  for (int i = 1; i < n_threads_; ++i) workers_.emplace_back([this, i] { worker(i); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  generation_.fetch_add(1);
  wake_sleepers();
  for (auto& t : workers_) t.join();
}

// A worker announces itself in sleepers_ before re-checking generation_ under the mutex; the
// caller bumps generation_ before reading sleepers_. With sequentially consistent atomics one of
// the two sees the other, so no wake-up is lost.
void ThreadPool::wake_sleepers() {
  if (sleepers_.load() == 0) return;
  { std::lock_guard<std::mutex> lock(mu_); }
  wake_cv_.notify_all();
}

void ThreadPool::run(JobRef job, size_t n) {
  if (n == 0) return;
  if (n_threads_ == 1 || n == 1) {
    job.call(job.fn, 0, n, 0);
    return;
  }
  job_ = job;
  job_n_ = n;
  pending_.store(n_threads_ - 1);
  generation_.fetch_add(1);  // publishes job_ and job_n_
  wake_sleepers();
  auto [b, e] = chunk(n, n_threads_, 0);
  if (b < e) job.call(job.fn, b, e, 0);
  const auto all_done = [this] { return pending_.load(std::memory_order_acquire) == 0; };
  if (!spin_until(all_done, done_spin_ns_)) {
    std::unique_lock<std::mutex> lock(mu_);
    caller_waiting_.store(true);
    done_cv_.wait(lock, all_done);
    caller_waiting_.store(false);
  }
  job_ = JobRef{};
}

void ThreadPool::worker(int index) {
  uint64_t seen = 0;
  for (;;) {
    uint64_t gen = seen;
    const auto new_job = [&] { return (gen = generation_.load(std::memory_order_acquire)) != seen; };
    if (!spin_until(new_job, job_spin_ns_)) {
      std::unique_lock<std::mutex> lock(mu_);
      sleepers_.fetch_add(1);
      wake_cv_.wait(lock, [&] { return generation_.load() != seen; });
      sleepers_.fetch_sub(1);
      gen = generation_.load();
    }
    seen = gen;
    if (stop_.load()) return;
    auto [b, e] = chunk(job_n_, n_threads_, index);
    if (b < e) job_.call(job_.fn, b, e, index);
    // The same handshake as wake_sleepers, for the caller waiting on the last chunk.
    if (pending_.fetch_sub(1) == 1 && caller_waiting_.load()) {
      { std::lock_guard<std::mutex> lock(mu_); }
      done_cv_.notify_one();
    }
  }
}

int ThreadPool::default_threads() {
  // Count distinct (physical id, core id) pairs: hyper-threads share a core's SIMD units.
  std::ifstream in("/proc/cpuinfo");
  std::set<std::pair<std::string, std::string>> cores;
  std::string line, phys = "0";
  while (std::getline(in, line)) {
    auto value = [&] { return line.substr(line.find(':') + 1); };
    if (line.rfind("physical id", 0) == 0) phys = value();
    if (line.rfind("core id", 0) == 0) cores.insert({phys, value()});
  }
  if (!cores.empty()) return static_cast<int>(cores.size());
  unsigned n = std::thread::hardware_concurrency();
  return n ? static_cast<int>(n) : 1;
}

}  // namespace slm
