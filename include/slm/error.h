#pragma once
// The one exception type slm throws for bad input or failed operations.
// Messages carry their context ("model.safetensors: tensor X: expected [64,64], got [64,32]").
#include <stdexcept>
#include <string>

namespace slm {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace slm
