#include "eval/progress.h"

#include <unistd.h>

#include <cstdio>

namespace slm::eval {

namespace {
std::string clock_text(double seconds) {
  if (seconds < 0 || seconds > 1e7) return "--:--";
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 60, s % 60);
  return buf;
}
}  // namespace

Progress::Progress(std::string label, size_t total, size_t already_done)
    : label_(std::move(label)), total_(total), done_(already_done), start_done_(already_done),
      tty_(isatty(STDERR_FILENO)), start_(std::chrono::steady_clock::now()), last_draw_(start_) {
  draw(false);
}

void Progress::advance(size_t n) {
  done_ += n;
  const auto now = std::chrono::steady_clock::now();
  const size_t percent = total_ ? done_ * 100 / total_ : 100;
  // A terminal redraws at most 10 times a second; plain output every 10% or 30 s.
  if (tty_ ? now - last_draw_ > std::chrono::milliseconds(100)
           : percent / 10 > last_printed_percent_ / 10 || now - last_draw_ > std::chrono::seconds(30))
    draw(false);
}

void Progress::finish() { draw(true); }

void Progress::draw(bool final) {
  const auto now = std::chrono::steady_clock::now();
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const size_t fresh = done_ - start_done_;
  const double rate = elapsed > 0 ? fresh / elapsed : 0;
  const double eta = rate > 0 ? (total_ - done_) / rate : -1;
  const size_t percent = total_ ? done_ * 100 / total_ : 100;
  last_printed_percent_ = percent;
  char line[256];
  if (tty_) {
    constexpr int kWidth = 28;
    const int filled = total_ ? static_cast<int>(kWidth * done_ / total_) : kWidth;
    std::string bar(filled, '#');
    bar.resize(kWidth, ' ');
    std::snprintf(line, sizeof line, "\r%s [%s] %zu/%zu %3zu%% %.2f it/s elapsed %s ETA %s ", label_.c_str(),
                  bar.c_str(), done_, total_, percent, rate, clock_text(elapsed).c_str(), clock_text(eta).c_str());
    std::fputs(line, stderr);
    if (final) std::fputs("\n", stderr);
  } else {
    std::snprintf(line, sizeof line, "%s: %zu/%zu (%zu%%) %.2f it/s elapsed %s ETA %s\n", label_.c_str(), done_,
                  total_, percent, rate, clock_text(elapsed).c_str(), clock_text(eta).c_str());
    std::fputs(line, stderr);
  }
  std::fflush(stderr);
}

}  // namespace slm::eval
