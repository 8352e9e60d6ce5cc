#pragma once
// Progress on stderr: a redrawn bar with rate and ETA on a terminal, occasional plain lines
// otherwise (logs, CI).
#include <chrono>
#include <cstddef>
#include <string>

namespace slm::eval {

class Progress {
 public:
  Progress(std::string label, size_t total, size_t already_done = 0);
  void advance(size_t n = 1);
  void finish();

 private:
  void draw(bool final);
  std::string label_;
  size_t total_, done_, start_done_;
  bool tty_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  size_t last_printed_percent_ = 0;
};

}  // namespace slm::eval
