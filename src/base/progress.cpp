#include "base/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace slm {

ProgressBar::ProgressBar(int64_t total, bool enabled)
    : total_(total > 0 ? total : 1), enabled_(enabled), tty_(isatty(STDERR_FILENO) != 0) {}

void ProgressBar::advance(int64_t amount, const std::string& label) {
  done_ = std::min(total_, done_ + amount);
  if (!enabled_) return;
  const int percent = static_cast<int>(100 * done_ / total_);
  if (!tty_) {
    if (percent / 10 == last_tenth_) return;
    last_tenth_ = percent / 10;
    std::fprintf(stderr, "%3d%% %s\n", percent, label.c_str());
    return;
  }
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(kWidth * done_ / total_);
  std::fprintf(stderr, "\r[%s%s] %3d%% %-40.40s", std::string(filled, '#').c_str(),
               std::string(kWidth - filled, ' ').c_str(), percent, label.c_str());
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (enabled_ && tty_) std::fprintf(stderr, "\n");
}

}  // namespace slm
