#pragma once
// A one-line progress bar on stderr, redrawn in place; silent when disabled.
#include <cstdint>
#include <string>

namespace slm {

class ProgressBar {
 public:
  ProgressBar(int64_t total, bool enabled) : total_(total > 0 ? total : 1), enabled_(enabled) {}
  // Advances by `amount` and shows `label` (e.g. the tensor being written).
  void advance(int64_t amount, const std::string& label);
  void finish();

 private:
  int64_t total_, done_ = 0;
  bool enabled_;
};

}  // namespace slm
