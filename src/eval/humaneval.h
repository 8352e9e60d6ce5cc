#pragma once
// HumanEval: completions of the function prompts, executed against the problem's tests in the
// sandbox; pass@k by the unbiased estimator over n samples per problem.
#include <string>

#include <nlohmann/json.hpp>

namespace slm::eval::humaneval {

// prompt + completion + "\n" + test + "\n" + "check(entry_point)"
std::string program(const nlohmann::ordered_json& problem, const std::string& completion);
// The humaneval_instruct user message and the assistant prefix that opens the code block.
std::string instruct_message(const nlohmann::ordered_json& problem);
std::string instruct_prefix(const nlohmann::ordered_json& problem);
// humaneval_instruct: the completion up to the first "```".
std::string cut_at_code_fence(const std::string& completion);

}  // namespace slm::eval::humaneval
