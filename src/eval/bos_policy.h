#pragma once
// Whether completion prompts start with BOS. Harnesses differ: a Hugging Face tokenizer adds it
// by default (vLLM, the MMLU-Pro reference code), while lm-eval's HF backend encodes causal-LM
// prompts without special tokens unless told to add BOS. Chat prompts always carry what the
// template writes and nothing more.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "text/tokenizer.h"

namespace slm::eval {

enum class BosPolicy {
  tokenizer,  // the tokenizer's own add_special_tokens behaviour
  never,      // lm-eval's HF default for causal models
  always,     // BOS first whenever the vocabulary has one
};

// "auto" | "off" | "on"; throws slm::Error otherwise.
BosPolicy parse_bos_policy(const std::string& text);
std::string bos_policy_name(BosPolicy policy);

std::vector<int32_t> encode_completion(const Tokenizer& tok, std::string_view text, BosPolicy policy);

}  // namespace slm::eval
