// POST /v1/chat/completions
#include "chat/reasoning.h"
#include "sample/json_schema_grammar.h"
#include "serve/chat_completion_stream.h"
#include "serve/chat_prompt.h"
#include "serve/openai_errors.h"
#include "serve/prompt_tokens.h"
#include "serve/request_parsing.h"
#include "serve/routes.h"
#include "slm/error.h"

namespace slm::serve {

namespace {

using json = nlohmann::json;

// A grammar forcing a call to the named tool (or to any tool), arguments following its schema.
std::shared_ptr<const Grammar> forced_tool_call_grammar(const ServerContext& ctx, const ChatRequest& r) {
  std::vector<WrappedSchema> options;
  for (const auto& tool : r.tools) {
    const auto& fn = tool["function"];
    const std::string name = fn["name"].get<std::string>();
    if (r.tool_choice.kind == ToolChoice::kNamed && name != r.tool_choice.name) continue;
    ordered_json schema = fn.contains("parameters") ? fn["parameters"] : ordered_json{{"type", "object"}};
    const ToolCallTemplate t = forced_tool_call_template(ctx.tool_format, name);
    options.push_back({t.prefix, schema, t.suffix});
  }
  try {
    return wrapped_json_schema_grammar(options);
  } catch (const slm::Error& e) {
    throw invalid_request(std::string("cannot constrain tool arguments: ") + e.what(), "tools");
  }
}

bool has_strict_tool(const ChatRequest& r) {
  for (const auto& tool : r.tools) {
    const auto& fn = tool["function"];
    if (fn.contains("strict") && fn["strict"].is_boolean() && fn["strict"].get<bool>()) return true;
  }
  return false;
}

// tool_choice auto with strict tools: free text, or a call whose arguments follow the schema of
// a strict tool (any object for the others).
std::shared_ptr<const Grammar> strict_tool_call_grammar(const ServerContext& ctx, const ChatRequest& r) {
  const std::string opener = tool_call_opener(ctx.tool_format);
  std::vector<WrappedSchema> calls;
  for (const auto& tool : r.tools) {
    const auto& fn = tool["function"];
    const bool strict = fn.contains("strict") && fn["strict"].is_boolean() && fn["strict"].get<bool>();
    ordered_json schema = strict && fn.contains("parameters") ? fn["parameters"] : ordered_json{{"type", "object"}};
    const ToolCallTemplate t = forced_tool_call_template(ctx.tool_format, fn["name"].get<std::string>());
    calls.push_back({t.prefix.substr(opener.size()), schema, t.suffix});
  }
  try {
    return text_or_wrapped_json_grammar(opener, calls);
  } catch (const slm::Error& e) {
    throw invalid_request(std::string("cannot constrain tool arguments: ") + e.what(), "tools");
  }
}

std::shared_ptr<const Grammar> response_format_grammar(const ResponseFormat& f) {
  try {
    if (f.kind == ResponseFormat::kJsonObject) return json_object_grammar();
    if (f.kind == ResponseFormat::kJsonSchema) return json_schema_grammar(f.schema);
  } catch (const slm::Error& e) {
    throw invalid_request(std::string("unsupported json_schema: ") + e.what(), "response_format");
  }
  return nullptr;
}

}  // namespace

void handle_chat_completions(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const ChatRequest r = parse_chat_request(parse_json_body(req.body));
  ctx.check_model(r.model);
  if (!ctx.chat_template)
    throw invalid_request("this model has no chat template; use /v1/completions", "messages", "no_chat_template");
  const Tokenizer& tok = ctx.engine.require_tokenizer();

  const bool use_tools = !r.tools.is_null() && r.tool_choice.kind != ToolChoice::kNone;
  const bool force_call = use_tools && (r.tool_choice.kind == ToolChoice::kRequired || r.tool_choice.kind == ToolChoice::kNamed);
  const std::string prompt =
      render_chat_prompt(*ctx.chat_template, ctx.tool_format, r.messages, use_tools ? r.tools : ordered_json(), r.template_kwargs);
  std::vector<std::string> texts;
  for (const auto& m : r.messages)
    if (m.contains("content") && m["content"].is_string()) texts.push_back(m["content"].get<std::string>());
    else if (m.contains("content") && m["content"].is_array())
      for (const auto& part : m["content"])
        if (part.contains("text") && part["text"].is_string()) texts.push_back(part["text"].get<std::string>());
  const std::vector<int32_t> ids = encode_chat_prompt(tok, prompt, texts);
  if (ids.empty()) throw invalid_request("the rendered prompt is empty", "messages");

  auto job = std::make_shared<GenerationJob>();
  job->prompt = ids;
  job->sampler = r.sampling.sampler;
  job->presence_penalty = r.sampling.presence_penalty;
  job->frequency_penalty = r.sampling.frequency_penalty;
  job->max_tokens = completion_budget(ctx, ids.size(), r.sampling.max_tokens);
  job->top_logprobs = r.sampling.top_logprobs;
  const bool strict_auto = use_tools && !force_call && has_strict_tool(r) && r.response_format.kind == ResponseFormat::kText;
  job->grammar = force_call    ? forced_tool_call_grammar(ctx, r)
                 : strict_auto ? strict_tool_call_grammar(ctx, r)
                               : response_format_grammar(r.response_format);

  ChatOutputOptions out;
  // Free text (and so reasoning) stays possible unless a JSON value or a call is forced.
  out.reasoning = ctx.reasoning_model && (!job->grammar || strict_auto);
  out.starts_in_reasoning = out.reasoning && prompt_opens_reasoning(prompt);
  if (use_tools) out.tools = ctx.tool_format;
  out.force_tool_call = force_call;

  ChatStreamSettings settings;
  settings.id = random_id("chatcmpl-");
  settings.model = ctx.model_id;
  settings.created = std::time(nullptr);
  settings.stream = r.sampling.stream;
  settings.include_usage = r.sampling.include_usage;
  settings.logprobs = r.sampling.top_logprobs >= 0;

  auto channel = std::make_shared<EventChannel>();
  auto stream = std::make_shared<ChatCompletionStream>(settings, TokenTextStream(tok, ids, ctx.kept_specials, settings.logprobs ? &ctx.scheduler->token_bytes() : nullptr),
                                                       StopStrings(r.sampling.stop), ChatOutputParser(out), channel);
  job->on_token = [stream](const GeneratedToken& t) { return stream->on_token(t); };
  job->on_finish = [stream](const JobResult& result) { stream->on_finish(result); };
  respond_with_job(ctx, req, res, job, channel, settings.stream, settings.stream ? stream->role_chunk() : "",
                   [stream] { return stream->status(); });
}

}  // namespace slm::serve
