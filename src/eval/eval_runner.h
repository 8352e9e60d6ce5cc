#pragma once
// Runs one task: builds each document's prompt (through the chat template where the variant is
// a chat one), generates or scores choices with many documents in flight, scores each document
// as it finishes and appends its record to the results store. Documents already in the store
// (a resumed run) are skipped.
#include <map>
#include <optional>
#include <string>

#include "chat/chat_template.h"
#include "engine/engine.h"
#include "eval/bos_policy.h"
#include "eval/results_store.h"
#include "eval/task.h"
#include "sample/sampler.h"

namespace slm::eval {

struct RunOptions {
  int parallel = 4;
  SamplerConfig sampler;              // temperature 0 = greedy
  int max_gen_tokens = 0;             // 0 = the variant's own limit
  std::optional<bool> thinking;       // enable_thinking for templates that read it
  BosPolicy bos = BosPolicy::tokenizer;  // completion prompts only
  bool show_progress = true;
};

struct RunStats {
  size_t scored = 0;                  // documents scored in this run (not resumed ones)
  double seconds = 0;
  int64_t prompt_tokens = 0, reused_prompt_tokens = 0, generated_tokens = 0;
};

// The text prompt for a document: completion text as is, or the chat messages rendered through
// the model's template with the generation prompt, then the variant's assistant prefix.
std::string render_prompt(const Engine& engine, const Prompt& prompt, std::optional<bool> thinking);
// The same with the template already found (nullptr: the model has none).
std::string render_prompt(const ChatTemplate* chat_template, const Prompt& prompt, std::optional<bool> thinking);

RunStats run_with_model(Engine& engine, const Task& task, ResultsStore& store, const RunOptions& options);

// Scores saved outputs: `responses` maps doc id -> outputs. Documents without one are skipped.
RunStats run_with_responses(const Task& task, const std::map<std::string, std::vector<std::string>>& responses,
                            ResultsStore& store, int parallel, bool show_progress);

// A --responses file: JSONL of {"doc_id", "response"} or {"doc_id", "responses": [...]}.
std::map<std::string, std::vector<std::string>> read_responses(const std::string& path);

}  // namespace slm::eval
