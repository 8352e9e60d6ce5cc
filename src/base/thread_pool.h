#pragma once
// One persistent pool of worker threads. parallel_for splits [0, n) into contiguous chunks,
// one per thread, so the split (and every result) depends only on n and the thread count.
// Hand-off is spin-then-wait: workers spin briefly on a generation counter before sleeping, and
// the caller spins on a countdown, so the many small per-token ops of decoding pay no
// mutex/condition-variable round trip while the pool is busy. The spin time adapts, so an
// oversubscribed machine falls back to plain waiting.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace slm {

class ThreadPool {
 public:
  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }

  // Calls fn(begin, end, thread_index) on disjoint chunks covering [0, n); returns when all are done.
  void parallel_for(size_t n, const std::function<void(size_t, size_t, int)>& fn);

  // Physical cores of this machine (falls back to logical CPUs).
  static int default_threads();

 private:
  void worker(int index);
  void wake_sleepers();

  int n_threads_;
  std::vector<std::thread> workers_;
  const std::function<void(size_t, size_t, int)>* job_ = nullptr;
  size_t job_n_ = 0;
  std::atomic<uint64_t> generation_{0};  // bumped once per job (and at shutdown)
  std::atomic<int> pending_{0};          // workers still running the current job
  std::atomic<int> sleepers_{0};
  std::atomic<bool> caller_waiting_{false};
  std::atomic<int64_t> spin_budget_ns_{20000};  // see spin_until in the .cpp
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable wake_cv_, done_cv_;
};

}  // namespace slm
