#include "serve/request_parsing.h"

#include <cmath>
#include <random>

#include "serve/openai_errors.h"

namespace slm::serve {

namespace {

// Deeper bodies are refused: templates and schema compilation walk values recursively.
constexpr size_t kMaxJsonDepth = 64;

const ordered_json* field(const ordered_json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return nullptr;
  return &*it;
}

double number_field(const ordered_json& body, const char* name, double fallback, double lo, double hi) {
  const ordered_json* v = field(body, name);
  if (!v) return fallback;
  if (!v->is_number()) throw invalid_request(std::string("'") + name + "' must be a number", name);
  const double x = v->get<double>();
  if (!std::isfinite(x) || x < lo || x > hi)
    throw invalid_request(std::string("'") + name + "' must be between " + std::to_string(lo) + " and " + std::to_string(hi), name);
  return x;
}

std::optional<int64_t> integer_field(const ordered_json& body, const char* name, int64_t lo, int64_t hi) {
  const ordered_json* v = field(body, name);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) {
    // 5.0 is fine; 5.5, "5" and 1e300 are not.
    if (v->is_number_float() && std::isfinite(v->get<double>()) && std::floor(v->get<double>()) == v->get<double>() &&
        std::fabs(v->get<double>()) < 9e15) {
    } else {
      throw invalid_request(std::string("'") + name + "' must be an integer", name);
    }
  }
  const double as_double = v->get<double>();
  if (as_double < static_cast<double>(lo) || as_double > static_cast<double>(hi))
    throw invalid_request(std::string("'") + name + "' must be between " + std::to_string(lo) + " and " + std::to_string(hi), name);
  if (v->is_number_unsigned()) return static_cast<int64_t>(v->get<uint64_t>());
  if (v->is_number_integer()) return v->get<int64_t>();
  return static_cast<int64_t>(as_double);
}

bool bool_field(const ordered_json& body, const char* name, bool fallback) {
  const ordered_json* v = field(body, name);
  if (!v) return fallback;
  if (!v->is_boolean()) throw invalid_request(std::string("'") + name + "' must be a boolean", name);
  return v->get<bool>();
}

std::string model_field(const ordered_json& body) {
  const ordered_json* v = field(body, "model");
  if (!v) return "";
  if (!v->is_string()) throw invalid_request("'model' must be a string", "model");
  return v->get<std::string>();
}

SamplingRequest parse_sampling(const ordered_json& body, bool chat) {
  SamplingRequest s;
  s.sampler.temperature = static_cast<float>(number_field(body, "temperature", 1.0, 0.0, 2.0));
  s.sampler.top_p = static_cast<float>(number_field(body, "top_p", 1.0, 0.0, 1.0));
  s.sampler.min_p = static_cast<float>(number_field(body, "min_p", 0.0, 0.0, 1.0));
  s.sampler.top_k = static_cast<int>(integer_field(body, "top_k", 0, 1 << 30).value_or(0));
  s.sampler.repetition_penalty = static_cast<float>(number_field(body, "repetition_penalty", 1.0, 0.01, 10.0));
  s.presence_penalty = static_cast<float>(number_field(body, "presence_penalty", 0.0, -2.0, 2.0));
  s.frequency_penalty = static_cast<float>(number_field(body, "frequency_penalty", 0.0, -2.0, 2.0));
  if (auto seed = integer_field(body, "seed", INT64_MIN, INT64_MAX)) s.sampler.seed = static_cast<uint64_t>(*seed);
  else s.sampler.seed = std::random_device{}();
  for (const char* name : {"max_tokens", "max_completion_tokens"})
    if (auto n = integer_field(body, name, 1, 1 << 30)) s.max_tokens = static_cast<int>(*n);
  if (auto n = integer_field(body, "n", 1, 1 << 30); n && *n != 1)
    throw invalid_request("only n=1 is supported: run several requests for several choices", "n");
  if (const ordered_json* stop = field(body, "stop")) {
    if (stop->is_string()) s.stop.push_back(stop->get<std::string>());
    else if (stop->is_array() && stop->size() <= 16) {
      for (const auto& x : *stop) {
        if (!x.is_string()) throw invalid_request("'stop' must be a string or a list of strings", "stop");
        s.stop.push_back(x.get<std::string>());
      }
    } else {
      throw invalid_request("'stop' must be a string or a list of at most 16 strings", "stop");
    }
  }
  s.stream = bool_field(body, "stream", false);
  if (const ordered_json* so = field(body, "stream_options")) {
    if (!so->is_object()) throw invalid_request("'stream_options' must be an object", "stream_options");
    s.include_usage = bool_field(*so, "include_usage", false);
  }
  if (chat) {
    if (bool_field(body, "logprobs", false))
      s.top_logprobs = static_cast<int>(integer_field(body, "top_logprobs", 0, 20).value_or(0));
    else if (field(body, "top_logprobs"))
      throw invalid_request("'top_logprobs' needs 'logprobs': true", "top_logprobs");
  } else if (auto n = integer_field(body, "logprobs", 0, 20)) {
    s.top_logprobs = static_cast<int>(*n);
  }
  return s;
}

void check_messages(const ordered_json& messages) {
  if (!messages.is_array() || messages.empty())
    throw invalid_request("'messages' must be a non-empty array", "messages");
  static const std::vector<std::string> roles = {"system", "developer", "user", "assistant", "tool", "function"};
  for (size_t i = 0; i < messages.size(); ++i) {
    const std::string where = "messages[" + std::to_string(i) + "]";
    const auto& m = messages[i];
    if (!m.is_object()) throw invalid_request(where + " must be an object", where);
    if (!m.contains("role") || !m["role"].is_string())
      throw invalid_request(where + ".role must be a string", where + ".role");
    if (std::find(roles.begin(), roles.end(), m["role"].get<std::string>()) == roles.end())
      throw invalid_request(where + ".role '" + m["role"].get<std::string>() + "' is not a known role", where + ".role");
    if (m.contains("content")) {
      const auto& c = m["content"];
      if (!c.is_string() && !c.is_null() && !c.is_array())
        throw invalid_request(where + ".content must be a string or an array of parts", where + ".content");
      if (c.is_array())
        for (const auto& part : c)
          if (!part.is_object() || !part.contains("type") || !part["type"].is_string())
            throw invalid_request(where + ".content parts must be objects with a 'type'", where + ".content");
    }
    if (m.contains("tool_calls") && !m["tool_calls"].is_null() && !m["tool_calls"].is_array())
      throw invalid_request(where + ".tool_calls must be an array", where + ".tool_calls");
  }
}

ToolChoice parse_tool_choice(const ordered_json& body, bool has_tools) {
  ToolChoice c;
  const ordered_json* v = field(body, "tool_choice");
  if (!v) return c;
  if (v->is_string()) {
    const std::string s = v->get<std::string>();
    if (s == "auto") c.kind = ToolChoice::kAuto;
    else if (s == "none") c.kind = ToolChoice::kNone;
    else if (s == "required") c.kind = ToolChoice::kRequired;
    else throw invalid_request("'tool_choice' must be 'auto', 'none', 'required' or a function", "tool_choice");
  } else if (v->is_object() && v->contains("function") && (*v)["function"].is_object() &&
             (*v)["function"].contains("name") && (*v)["function"]["name"].is_string()) {
    c.kind = ToolChoice::kNamed;
    c.name = (*v)["function"]["name"].get<std::string>();
  } else {
    throw invalid_request("'tool_choice' must be a string or {\"type\": \"function\", \"function\": {\"name\": ...}}", "tool_choice");
  }
  if ((c.kind == ToolChoice::kRequired || c.kind == ToolChoice::kNamed) && !has_tools)
    throw invalid_request("'tool_choice' asks for a tool call but no 'tools' were given", "tool_choice");
  return c;
}

// Nesting depth of a JSON value, without recursion (the value may be hostile).
size_t json_depth(const ordered_json& root) {
  size_t deepest = 0;
  std::vector<std::pair<const ordered_json*, size_t>> todo{{&root, 1}};
  while (!todo.empty()) {
    auto [v, depth] = todo.back();
    todo.pop_back();
    deepest = std::max(deepest, depth);
    if (v->is_structured())
      for (const auto& child : *v) todo.push_back({&child, depth + 1});
  }
  return deepest;
}

}  // namespace

ordered_json parse_json_body(const std::string& body) {
  // A parser callback cannot see the depth cheaply, so refuse absurd nesting before parsing:
  // count brackets outside strings.
  size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  if (deepest > kMaxJsonDepth)
    throw invalid_request("the request body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  ordered_json j = ordered_json::parse(body, nullptr, false);
  if (j.is_discarded()) throw invalid_request("the request body is not valid JSON");
  if (!j.is_object()) throw invalid_request("the request body must be a JSON object");
  if (json_depth(j) > kMaxJsonDepth) throw invalid_request("the request body nests too deeply");
  return j;
}

ChatRequest parse_chat_request(const ordered_json& body) {
  ChatRequest r;
  r.model = model_field(body);
  if (!body.contains("messages")) throw invalid_request("'messages' is required", "messages");
  r.messages = body["messages"];
  check_messages(r.messages);
  r.tools = nullptr;
  if (const ordered_json* tools = field(body, "tools")) {
    if (!tools->is_array()) throw invalid_request("'tools' must be an array", "tools");
    for (size_t i = 0; i < tools->size(); ++i) {
      const auto& t = (*tools)[i];
      const std::string where = "tools[" + std::to_string(i) + "]";
      if (!t.is_object() || !t.contains("function") || !t["function"].is_object() || !t["function"].contains("name") ||
          !t["function"]["name"].is_string())
        throw invalid_request(where + " must be {\"type\": \"function\", \"function\": {\"name\": ...}}", where);
      if (t["function"].contains("parameters") && !t["function"]["parameters"].is_object())
        throw invalid_request(where + ".function.parameters must be an object", where);
    }
    if (!tools->empty()) r.tools = *tools;
  }
  r.tool_choice = parse_tool_choice(body, !r.tools.is_null());
  if (r.tool_choice.kind == ToolChoice::kNamed) {
    bool known = false;
    for (const auto& t : r.tools) known = known || t["function"]["name"] == r.tool_choice.name;
    if (!known) throw invalid_request("'tool_choice' names '" + r.tool_choice.name + "', which is not in 'tools'", "tool_choice");
  }
  if (const ordered_json* kw = field(body, "chat_template_kwargs")) {
    if (!kw->is_object()) throw invalid_request("'chat_template_kwargs' must be an object", "chat_template_kwargs");
    r.template_kwargs = *kw;
  }
  if (const ordered_json* rf = field(body, "response_format")) {
    if (!rf->is_object() || !rf->contains("type") || !(*rf)["type"].is_string())
      throw invalid_request("'response_format' must be an object with a 'type'", "response_format");
    const std::string type = (*rf)["type"].get<std::string>();
    if (type == "text") r.response_format.kind = ResponseFormat::kText;
    else if (type == "json_object") r.response_format.kind = ResponseFormat::kJsonObject;
    else if (type == "json_schema") {
      const auto* js = field(*rf, "json_schema");
      if (!js || !js->is_object() || !js->contains("schema") || !((*js)["schema"].is_object() || (*js)["schema"].is_boolean()))
        throw invalid_request("'response_format.json_schema.schema' must be a JSON schema", "response_format");
      r.response_format.kind = ResponseFormat::kJsonSchema;
      r.response_format.schema = (*js)["schema"];
    } else {
      throw invalid_request("'response_format.type' must be 'text', 'json_object' or 'json_schema'", "response_format");
    }
  }
  r.sampling = parse_sampling(body, true);
  return r;
}

CompletionRequest parse_completion_request(const ordered_json& body) {
  CompletionRequest r;
  r.model = model_field(body);
  const ordered_json* p = field(body, "prompt");
  if (!p) throw invalid_request("'prompt' is required", "prompt");
  if (p->is_string()) {
    r.prompt = p->get<std::string>();
  } else if (p->is_array() && p->size() == 1 && (*p)[0].is_string()) {
    r.prompt = (*p)[0].get<std::string>();
  } else if (p->is_array() && !p->empty() && std::all_of(p->begin(), p->end(), [](const auto& x) { return x.is_number_integer(); })) {
    for (const auto& x : *p) {
      const int64_t id = x.get<int64_t>();
      if (id < 0 || id > INT32_MAX) throw invalid_request("'prompt' token ids must be non-negative", "prompt");
      r.prompt_ids.push_back(static_cast<int32_t>(id));
    }
  } else {
    throw invalid_request("'prompt' must be a string, a list of one string, or a list of token ids", "prompt");
  }
  r.echo = bool_field(body, "echo", false);
  r.sampling = parse_sampling(body, false);
  return r;
}

}  // namespace slm::serve
