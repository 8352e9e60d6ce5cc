#include "base/progress.h"

#include <algorithm>
#include <cstdio>

namespace slm {

void ProgressBar::advance(int64_t amount, const std::string& label) {
  done_ = std::min(total_, done_ + amount);
  if (!enabled_) return;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(kWidth * done_ / total_);
  std::fprintf(stderr, "\r[%s%s] %3d%% %-40.40s", std::string(filled, '#').c_str(),
               std::string(kWidth - filled, ' ').c_str(), static_cast<int>(100 * done_ / total_), label.c_str());
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (enabled_) std::fprintf(stderr, "\n");
}

}  // namespace slm
