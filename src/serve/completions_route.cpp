// POST /v1/completions: raw text continuation, no chat template.
#include "serve/completion_stream.h"
#include "serve/chat_completion_stream.h"
#include "serve/openai_errors.h"
#include "serve/request_parsing.h"
#include "serve/routes.h"

namespace slm::serve {

void handle_completions(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const CompletionRequest r = parse_completion_request(parse_json_body(req.body));
  ctx.check_model(r.model);
  const Tokenizer& tok = ctx.engine.require_tokenizer();
  const std::vector<int32_t> ids = r.prompt_ids.empty() ? tok.encode(r.prompt, true) : r.prompt_ids;
  if (ids.empty()) throw invalid_request("the prompt is empty", "prompt");
  for (int32_t id : ids)
    if (id >= ctx.engine.config().vocab_size) throw invalid_request("token id " + std::to_string(id) + " is out of range", "prompt");

  auto job = std::make_shared<GenerationJob>();
  job->prompt = ids;
  job->sampler = r.sampling.sampler;
  job->presence_penalty = r.sampling.presence_penalty;
  job->frequency_penalty = r.sampling.frequency_penalty;
  // The legacy endpoint's default is 16 tokens.
  job->max_tokens = completion_budget(ctx, ids.size(), r.sampling.max_tokens ? r.sampling.max_tokens : std::optional<int>(16));
  job->top_logprobs = r.sampling.top_logprobs;

  CompletionStreamSettings settings;
  settings.id = random_id("cmpl-");
  settings.model = ctx.model_id;
  settings.created = std::time(nullptr);
  settings.stream = r.sampling.stream;
  settings.include_usage = r.sampling.include_usage;
  settings.logprobs = r.sampling.top_logprobs >= 0;
  if (r.echo) settings.echo_text = r.prompt_ids.empty() ? r.prompt : tok.decode(ids, true);

  auto channel = std::make_shared<EventChannel>();
  auto stream = std::make_shared<CompletionStream>(settings, TokenTextStream(tok, ids, {}), StopStrings(r.sampling.stop), channel);
  job->on_token = [stream](const GeneratedToken& t) { return stream->on_token(t); };
  job->on_finish = [stream](const JobResult& result) { stream->on_finish(result); };
  respond_with_job(ctx, req, res, job, channel, settings.stream, "", [stream] { return stream->status(); });
}

}  // namespace slm::serve
