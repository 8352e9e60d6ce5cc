#pragma once
// Reads the user's lines: with line editing and history (libedit) on a terminal, plain lines
// from a pipe or file.
#include <optional>
#include <string>

namespace slm::cli {

class LineReader {
 public:
  LineReader();
  ~LineReader();
  // nullopt at end of input.
  std::optional<std::string> read(const std::string& prompt);
  bool interactive() const { return interactive_; }

 private:
  bool interactive_;
};

}  // namespace slm::cli
