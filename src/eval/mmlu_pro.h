#pragma once
// MMLU-Pro, as the harness's mmlu_pro (v3.1): per-category description, 5 chain-of-thought
// validation exemplars of the same category, "answer is (X)" extraction, exact_match; plus
// the reference implementation's fallback cascade as a second figure.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace slm::eval::mmlu_pro {

// The description line (ends with "\n").
std::string description(const std::string& category);
// `Question:\n{q}\nOptions:\nA. {opt}\n…\nAnswer: Let's think step by step.` (options stripped).
std::string question_text(const nlohmann::ordered_json& item);
// An exemplar's answer: cot_content without its "A: Let's think step by step. " prefix.
std::string exemplar_answer(const nlohmann::ordered_json& exemplar);
// description + each shot (question_text + " " + answer) + "\n\n" + the question.
std::string cot_prompt(const std::string& category, const std::vector<nlohmann::ordered_json>& shots,
                       const nlohmann::ordered_json& item);

// `answer is \(?([ABCDEFGHIJ])\)?`, first match, or "[invalid]".
std::string extract_answer(const std::string& response);
// The reference cascade: the pattern above, then `.*[aA]nswer:\s*([A-J])`, then the last
// standalone letter A-J; "" when all fail (the caller then guesses).
std::string extract_answer_cascade(const std::string& response);

}  // namespace slm::eval::mmlu_pro
