#pragma once
// Errors raised while rendering. Each is an slm::Error; the subtypes let the interpreter
// add the template line exactly once and leave raise_exception() messages untouched.
#include <string>

#include "slm/error.h"

namespace slm::jinja {

// A failure already located in the template ("template line N: ...").
class TemplateError : public Error {
 public:
  using Error::Error;
};

// The template called raise_exception(msg): what() is exactly msg.
class RaisedError : public Error {
 public:
  using Error::Error;
};

// A sandbox limit was exceeded.
class LimitError : public Error {
 public:
  using Error::Error;
};

}  // namespace slm::jinja
