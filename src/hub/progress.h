#pragma once
// Download progress on stderr: a redrawn bar with speed and ETA on a terminal, plain lines
// (one per finished file) otherwise, so logs stay readable.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace slm::hub {

class Progress {
 public:
  // total_bytes: what is left to fetch; quiet: print nothing.
  Progress(int64_t total_bytes, bool quiet);
  ~Progress();

  void add_bytes(int64_t n);  // thread-safe
  void file_done(const std::string& name, int64_t size);
  void finish();  // final line; idempotent

 private:
  void draw(bool final_line);
  void run();

  const int64_t total_;
  const bool quiet_, tty_;
  std::atomic<int64_t> done_{0};
  std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false, finished_ = false;
  std::thread drawer_;
};

// "1.5 GB", "512.0 MB", "900 B" (decimal units, as the Hub shows sizes).
std::string human_bytes(double bytes);

}  // namespace slm::hub
