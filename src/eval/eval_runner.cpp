#include "eval/eval_runner.h"

#include <algorithm>
#include <chrono>
#include <mutex>

#include "chat/reasoning.h"
#include "engine/model_chat_template.h"
#include "eval/batch_scheduler.h"
#include "eval/choice_scorer.h"
#include "eval/jsonl.h"
#include "eval/progress.h"
#include "eval/scoring_pool.h"
#include "slm/error.h"

namespace slm::eval {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

nlohmann::ordered_json make_record(const Task& task, const Doc& doc, const DocScore& score) {
  nlohmann::ordered_json r;
  r["task"] = task.name();
  r["variant"] = task.variant();
  r["doc_id"] = doc.id;
  if (!doc.group.empty()) r["group"] = doc.group;
  r["metrics"] = score.metrics;
  r["extracted"] = score.extracted;
  return r;
}

// The KV positions a slot needs: the longest prompt plus the generation limit, within the model.
int64_t needed_context(const Engine& engine, size_t longest_prompt, int max_tokens) {
  const int64_t want = static_cast<int64_t>(longest_prompt) + max_tokens + 1;
  return std::min<int64_t>(want, engine.config().max_positions);
}

// Answers are extracted from what follows the reasoning, never from the thinking. Output without
// a reasoning block is kept exactly as generated (HumanEval needs its leading indentation).
std::string answer_text(const std::string& output, bool prompt_opens_reasoning) {
  const ReasoningMarkers markers;
  if (!prompt_opens_reasoning && output.find(markers.open) == std::string::npos &&
      output.find(markers.close) == std::string::npos)
    return output;
  return split_reasoning(output, prompt_opens_reasoning, markers).content;
}

}  // namespace

std::string render_prompt(const ChatTemplate* chat_template, const Prompt& prompt, std::optional<bool> thinking) {
  if (!prompt.is_chat()) return prompt.text + prompt.gen_prefix;
  if (!chat_template)
    throw Error("this variant renders prompts through the model's chat template, and the model has none");
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();
  if (thinking) extra["enable_thinking"] = *thinking;
  return chat_template->apply(prompt.messages, nullptr, true, extra) + prompt.gen_prefix;
}

std::string render_prompt(const Engine& engine, const Prompt& prompt, std::optional<bool> thinking) {
  const auto chat_template = find_model_chat_template(engine);
  return render_prompt(chat_template ? &*chat_template : nullptr, prompt, thinking);
}

RunStats run_with_model(Engine& engine, const Task& task, ResultsStore& store, const RunOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  const Tokenizer& tok = engine.require_tokenizer();
  std::vector<const Doc*> todo;
  for (const Doc& d : task.docs())
    if (!store.done(d.id)) todo.push_back(&d);
  RunStats stats;
  std::optional<Progress> progress;
  if (options.show_progress)
    progress.emplace(task.variant(), task.docs().size(), task.docs().size() - todo.size());

  if (task.scores_loglikelihood()) {
    std::vector<ChoiceRequest> requests;
    size_t longest = 0;
    for (size_t i = 0; i < todo.size(); ++i) {
      const ChoiceSet set = task.choices(*todo[i]);
      ChoiceRequest r;
      r.tag = i;
      for (const auto& cont : set.continuations) {
        auto [ctx, ids] = encode_pair(tok, set.context, cont, options.bos);
        if (ids.empty()) throw Error("document " + todo[i]->id + ": a choice encodes to no tokens");
        r.context = std::move(ctx);
        longest = std::max(longest, r.context.size() + ids.size());
        r.continuations.push_back(std::move(ids));
      }
      requests.push_back(std::move(r));
    }
    ChoiceScorer scorer(engine, options.parallel, needed_context(engine, longest, 0));
    scorer.run(requests, [&](size_t tag, std::vector<double> lls) {
      store.append(make_record(task, *todo[tag], task.score_choices(*todo[tag], lls)));
      ++stats.scored;
      if (progress) progress->advance();
    });
    stats.prompt_tokens = scorer.tokens_processed();
    stats.reused_prompt_tokens = scorer.tokens_reused();
  } else {
    const GenerationLimits limits = task.limits();
    const int max_tokens = options.max_gen_tokens > 0 ? options.max_gen_tokens : limits.max_tokens;
    const int samples = std::max(1, task.samples());
    std::vector<GenerationRequest> requests;
    std::vector<bool> opens_reasoning;
    size_t longest = 0;
    const auto chat_template = find_model_chat_template(engine);  // parsed once, not per document
    for (size_t i = 0; i < todo.size(); ++i) {
      const Prompt prompt = task.prompt(*todo[i]);
      const std::string text = render_prompt(chat_template ? &*chat_template : nullptr, prompt, options.thinking);
      opens_reasoning.push_back(prompt_opens_reasoning(text));
      // The rendered template spells out its special tokens; plain prompts follow the BOS policy.
      std::vector<int32_t> ids = prompt.is_chat() ? tok.encode(text, false) : encode_completion(tok, text, options.bos);
      longest = std::max(longest, ids.size());
      for (int s = 0; s < samples; ++s) {
        GenerationRequest r;
        r.tag = i * samples + s;
        r.prompt = ids;
        r.stops = limits.stops;
        r.max_tokens = max_tokens;
        r.sampler = options.sampler;
        r.sampler.seed = options.sampler.seed + static_cast<uint64_t>(s);
        requests.push_back(std::move(r));
      }
    }
    std::vector<std::vector<std::string>> outputs(todo.size(), std::vector<std::string>(samples));
    std::vector<int> remaining(todo.size(), samples);
    BatchScheduler scheduler(engine, options.parallel, needed_context(engine, longest, max_tokens));
    std::mutex mu;  // the store, stats and progress; outlives the pool's jobs
    ScoringPool scoring(std::max(2, options.parallel));
    scheduler.run(requests, [&](size_t tag, GenerationOutput out) {
      const size_t doc = tag / samples;
      outputs[doc][tag % samples] = answer_text(out.text, opens_reasoning[doc]);
      if (--remaining[doc] > 0) return;
      scoring.submit([&, doc, responses = std::move(outputs[doc])] {
        auto record = make_record(task, *todo[doc], task.score(*todo[doc], responses));
        record["responses"] = responses;
        std::lock_guard<std::mutex> lock(mu);
        store.append(std::move(record));
        ++stats.scored;
        if (progress) progress->advance();
      });
    });
    scoring.wait();
    stats.prompt_tokens = scheduler.prompt_tokens_processed();
    stats.reused_prompt_tokens = scheduler.prompt_tokens_reused();
    stats.generated_tokens = scheduler.generated_tokens();
  }
  if (progress) progress->finish();
  stats.seconds = seconds_since(t0);
  return stats;
}

RunStats run_with_responses(const Task& task, const std::map<std::string, std::vector<std::string>>& responses,
                            ResultsStore& store, int parallel, bool show_progress) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<const Doc*> todo;
  for (const Doc& d : task.docs())
    if (!store.done(d.id) && responses.count(d.id)) todo.push_back(&d);
  if (task.scores_loglikelihood())
    throw Error(task.variant() + " scores log-likelihoods; saved text responses apply to generative variants");
  RunStats stats;
  std::optional<Progress> progress;
  if (show_progress) progress.emplace(task.variant(), todo.size());
  // Scoring may run programs (HumanEval), so documents are scored on several threads; records
  // are still appended one at a time.
  std::mutex mu;
  ScoringPool scoring(parallel);
  for (const Doc* doc : todo)
    scoring.submit([&, doc] {
      const auto& outs = responses.at(doc->id);
      auto record = make_record(task, *doc, task.score(*doc, outs));
      record["responses"] = outs;
      std::lock_guard<std::mutex> lock(mu);
      store.append(std::move(record));
      ++stats.scored;
      if (progress) progress->advance();
    });
  scoring.wait();
  if (progress) progress->finish();
  stats.seconds = seconds_since(t0);
  return stats;
}

std::map<std::string, std::vector<std::string>> read_responses(const std::string& path) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& row : read_jsonl(path)) {
    if (!row.contains("doc_id")) throw Error(path + ": a record has no doc_id");
    const auto& id_value = row.at("doc_id");
    const std::string id = id_value.is_string() ? id_value.get<std::string>() : id_value.dump();
    auto& list = out[id];
    if (row.contains("responses"))
      for (const auto& r : row.at("responses")) list.push_back(r.get<std::string>());
    else if (row.contains("response"))
      list.push_back(row.at("response").get<std::string>());
    else
      throw Error(path + ": record " + id + " has neither response nor responses");
  }
  return out;
}

}  // namespace slm::eval
