#pragma once
// GSM8K, as the harness's gsm8k_cot family: the 8 fixed chain-of-thought exemplars, "Q:/A:"
// prompts, strict ("The answer is N") and flexible (last number) extraction, exact_match.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace slm::eval::gsm8k {

struct Exemplar {
  std::string question, target, target_llama;
};

// `Q: {question}\nA:`
std::string question_text(const std::string& question);
// The completion prompt: the first `shots` exemplars as `Q: …\nA: target`, joined and followed
// by the question, every part separated by a blank line.
std::string cot_prompt(const std::vector<Exemplar>& exemplars, int shots, const std::string& question);
// The Llama 3 instruction that wraps every question of gsm8k_cot_llama.
std::string llama_question_text(const std::string& question);

// The gold number: the text after the last "####", stripped.
std::string reference_answer(const std::string& answer_field);
std::string strict_extract(const std::string& response);         // "The answer is N."
std::string strict_extract_llama(const std::string& response);   // "The final answer is N"
std::string flexible_extract(const std::string& response);       // the last number
// exact_match with ignore_case and the commas, "$", "… #### " and a final "." removed.
bool answers_match(const std::string& prediction, const std::string& reference);

}  // namespace slm::eval::gsm8k
