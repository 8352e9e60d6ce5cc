#pragma once
// ARC-Challenge: log-likelihood of each answer text after "Question: …\nAnswer:" (acc and
// character-normalised acc_norm), or the Llama 3 generative letter format through the chat template.
#include <string>

#include <nlohmann/json.hpp>

namespace slm::eval::arc {

// Index of answerKey among the choice labels; throws when absent.
int gold_index(const nlohmann::ordered_json& doc);
// The gold as a letter A-D (numeric keys 1-4 map to A-D).
std::string gold_letter(const nlohmann::ordered_json& doc);
// The user message of arc_challenge_chat.
std::string chat_question(const nlohmann::ordered_json& doc);
// Unicode code points, Python len() of a str.
size_t character_count(const std::string& utf8);

}  // namespace slm::eval::arc
