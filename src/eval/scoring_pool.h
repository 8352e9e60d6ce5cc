#pragma once
// Scores finished documents on worker threads, so slow scoring (HumanEval programs running up
// to their timeout) never stalls the decoder. The first failure is rethrown by wait().
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace slm::eval {

class ScoringPool {
 public:
  explicit ScoringPool(int threads);
  ~ScoringPool();
  ScoringPool(const ScoringPool&) = delete;
  ScoringPool& operator=(const ScoringPool&) = delete;

  void submit(std::function<void()> job);
  // Blocks until every submitted job has run; rethrows the first exception a job threw.
  void wait();

 private:
  void work();
  std::mutex mu_;
  std::condition_variable wake_, idle_;
  std::deque<std::function<void()>> jobs_;
  size_t running_ = 0;
  bool stopping_ = false;
  std::exception_ptr failure_;
  std::vector<std::thread> threads_;
};

}  // namespace slm::eval
