#pragma once
// Reads OpenAI request bodies into typed requests, rejecting wrong types and values with
// ApiError 400 naming the field.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sample/sampler.h"

namespace slm::serve {

using ordered_json = nlohmann::ordered_json;

struct SamplingRequest {
  SamplerConfig sampler;
  float presence_penalty = 0, frequency_penalty = 0;
  std::optional<int> max_tokens;
  std::vector<std::string> stop;
  int top_logprobs = -1;  // -1: no logprobs
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
};

struct ResponseFormat {
  enum Kind { kText, kJsonObject, kJsonSchema } kind = kText;
  nlohmann::ordered_json schema;  // kJsonSchema (ordered: properties are written in this order)
};

struct ToolChoice {
  enum Kind { kAuto, kNone, kRequired, kNamed } kind = kAuto;
  std::string name;  // kNamed
};

struct ChatRequest {
  std::string model;
  ordered_json messages;
  ordered_json tools;  // null when absent
  ToolChoice tool_choice;
  ordered_json template_kwargs = ordered_json::object();
  ResponseFormat response_format;
  SamplingRequest sampling;
};

struct CompletionRequest {
  std::string model;
  std::string prompt;                 // text, or
  std::vector<int32_t> prompt_ids;    // token ids
  bool echo = false;
  SamplingRequest sampling;
};

// Parses the body; throws ApiError 400 for malformed JSON or invalid fields.
ordered_json parse_json_body(const std::string& body);
ChatRequest parse_chat_request(const ordered_json& body);
CompletionRequest parse_completion_request(const ordered_json& body);

}  // namespace slm::serve
