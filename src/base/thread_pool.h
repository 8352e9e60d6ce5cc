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
#include <mutex>
#include <thread>
#include <type_traits>
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
  // fn is referenced, not copied (no std::function, so no allocation per call in the decode loop).
  template <typename Fn>
  void parallel_for(size_t n, Fn&& fn) {
    run({&fn, [](const void* f, size_t b, size_t e, int t) { (*static_cast<std::remove_reference_t<Fn>*>(
                                                               const_cast<void*>(f)))(b, e, t); }},
        n);
  }

  // Physical cores of this machine (falls back to logical CPUs).
  static int default_threads();

 private:
  struct JobRef {
    const void* fn;
    void (*call)(const void* fn, size_t begin, size_t end, int thread);
  };
  void run(JobRef job, size_t n);
  void worker(int index);
  void wake_sleepers();

  int n_threads_;
  std::vector<std::thread> workers_;
  JobRef job_{};
  size_t job_n_ = 0;
  std::atomic<uint64_t> generation_{0};  // bumped once per job (and at shutdown)
  std::atomic<int> pending_{0};          // workers still running the current job
  std::atomic<int> sleepers_{0};
  std::atomic<bool> caller_waiting_{false};
  // How long workers spin for the next job and the caller for the last chunk (see spin_until in
  // the .cpp); separate, since the two waits have different lengths.
  std::atomic<int64_t> job_spin_ns_{200000};
  std::atomic<int64_t> done_spin_ns_{200000};
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable wake_cv_, done_cv_;
};

}  // namespace slm
