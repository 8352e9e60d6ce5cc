#pragma once
// Cuts generated text at the first stop string. Text that might be the start of a stop string
// is held back until the next piece shows whether it is.
#include <string>
#include <string_view>
#include <vector>

namespace slm::serve {

class StopStrings {
 public:
  explicit StopStrings(std::vector<std::string> stops);
  // The text now safe to emit. After a stop string is seen, returns only what preceded it.
  std::string push(std::string_view text);
  std::string flush();  // held-back text at the end of generation
  bool stopped() const { return stopped_; }

 private:
  std::vector<std::string> stops_;
  std::string held_;
  bool stopped_ = false;
};

}  // namespace slm::serve
