#pragma once
// A progress bar on stderr: one line redrawn in place on a terminal; on a pipe or log file, a
// plain line at every tenth of the work, so logs stay readable. Silent when disabled.
#include <cstdint>
#include <string>

namespace slm {

class ProgressBar {
 public:
  ProgressBar(int64_t total, bool enabled);
  // Advances by `amount` and shows `label` (e.g. the tensor being written).
  void advance(int64_t amount, const std::string& label);
  void finish();

 private:
  int64_t total_, done_ = 0;
  bool enabled_, tty_;
  int last_tenth_ = -1;  // plain-line mode: the last tenth reported
};

}  // namespace slm
