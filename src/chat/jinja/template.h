#pragma once
// A compiled Jinja2 template configured like transformers' chat-template environment:
// trim_blocks, lstrip_blocks, loopcontrols, an immutable sandbox, and Jinja's default
// globals (range, dict, namespace).
#include <memory>
#include <string>

#include "chat/jinja/ast.h"
#include "chat/jinja/limits.h"
#include "chat/jinja/value.h"

namespace slm::jinja {

class Template {
 public:
  // Throws slm::Error ("template line N: syntax error: ...") for malformed templates.
  static Template parse(const std::string& source);

  // `context` holds the template variables; `extra_globals` adds functions such as
  // raise_exception. Throws slm::Error on any runtime error or exceeded limit.
  std::string render(const Dict& context, const Dict& extra_globals = {}, const Limits& limits = {}) const;

 private:
  std::shared_ptr<const NodeList> nodes_;
};

}  // namespace slm::jinja
