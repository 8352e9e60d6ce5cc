#include "hub/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace slm::hub {

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1000 && u < 4) {
    bytes /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

namespace {
std::string clock_text(double seconds) {
  if (seconds < 0 || seconds > 99 * 3600) return "--:--";
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 60, s % 60);
  return buf;
}
}  // namespace

Progress::Progress(int64_t total_bytes, bool quiet)
    : total_(total_bytes), quiet_(quiet), tty_(::isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {
  if (!quiet_ && tty_) drawer_ = std::thread([this] { run(); });
}

Progress::~Progress() { finish(); }

void Progress::add_bytes(int64_t n) { done_ += n; }

void Progress::file_done(const std::string& name, int64_t size) {
  if (quiet_ || tty_) return;
  std::lock_guard<std::mutex> lock(mu_);
  std::fprintf(stderr, "slm: downloaded %s (%s)\n", name.c_str(), human_bytes(static_cast<double>(size)).c_str());
}

void Progress::draw(bool final_line) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const int64_t done = done_.load();
  const double speed = elapsed > 0 ? done / elapsed : 0;
  const double frac = total_ > 0 ? std::min(1.0, static_cast<double>(done) / total_) : 1.0;
  const int width = 30, filled = static_cast<int>(frac * width);
  std::string bar(filled, '#');
  bar.resize(width, '-');
  const double eta = speed > 0 ? (total_ - done) / speed : -1;
  std::fprintf(stderr, "\r[%s] %5.1f%% %s / %s  %s/s  ETA %s\x1b[K%s", bar.c_str(), frac * 100,
               human_bytes(static_cast<double>(done)).c_str(), human_bytes(static_cast<double>(total_)).c_str(),
               human_bytes(speed).c_str(), clock_text(eta).c_str(), final_line ? "\n" : "");
  std::fflush(stderr);
}

void Progress::run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    draw(false);
    cv_.wait_for(lock, std::chrono::milliseconds(200));
  }
}

void Progress::finish() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    finished_ = true;
    stop_ = true;
  }
  cv_.notify_all();
  if (drawer_.joinable()) drawer_.join();
  if (quiet_) return;
  if (tty_) {
    draw(true);
  } else if (done_ > 0) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::fprintf(stderr, "slm: fetched %s in %.1f s (%s/s)\n", human_bytes(static_cast<double>(done_)).c_str(), elapsed,
                 human_bytes(elapsed > 0 ? done_ / elapsed : 0).c_str());
  }
}

}  // namespace slm::hub
