#include "eval/task.h"

#include "slm/error.h"

namespace slm::eval {

Prompt Task::prompt(const Doc&) const { throw Error(variant() + " scores choices, it has no generation prompt"); }

DocScore Task::score(const Doc&, const std::vector<std::string>&) const {
  throw Error(variant() + " scores choices by log-likelihood, not generated text");
}

ChoiceSet Task::choices(const Doc&) const { throw Error(variant() + " is generative, it has no choices"); }

DocScore Task::score_choices(const Doc&, const std::vector<double>&) const {
  throw Error(variant() + " is generative, it has no choices to score");
}

}  // namespace slm::eval
