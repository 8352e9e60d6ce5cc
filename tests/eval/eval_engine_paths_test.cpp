// The model-facing paths of slm eval, in process: choice log-likelihoods against a plain
// full-sequence forward pass, the batched scheduler against one-at-a-time greedy generation,
// and chat prompts rendered through the model's template.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/engine.h"
#include "eval/batch_scheduler.h"
#include "eval/bos_policy.h"
#include "eval/choice_scorer.h"
#include "eval/eval_runner.h"
#include "eval/task.h"
#include "test_support.h"

namespace slm::eval {

namespace {

double reference_loglikelihood(Engine& engine, const std::vector<int32_t>& context, const std::vector<int32_t>& cont) {
  std::vector<int32_t> all = context;
  all.insert(all.end(), cont.begin(), cont.end());
  Session session(engine, static_cast<int64_t>(all.size()) + 1);
  GenerateOptions opts;
  opts.max_tokens = 0;
  opts.keep_prompt_logits = true;
  const auto r = session.generate(all, opts);
  const int64_t V = engine.config().vocab_size;
  double ll = 0;
  for (size_t k = 0; k < cont.size(); ++k) {
    const float* row = r.prompt_logits.data() + static_cast<int64_t>(context.size() + k - 1) * V;
    double max = row[0], sum = 0;
    for (int64_t i = 1; i < V; ++i) max = std::max<double>(max, row[i]);
    for (int64_t i = 0; i < V; ++i) sum += std::exp(row[i] - max);
    ll += row[cont[k]] - max - std::log(sum);
  }
  return ll;
}

}  // namespace

TEST(EvalEnginePaths, ChoiceLoglikelihoodsMatchAFullForwardPass) {
  for (const char* name : {"tiny-qwen3", "tiny-qwen35"}) {
    auto engine = Engine::load(test::fixture(std::string("models/") + name));
    const Tokenizer& tok = engine->require_tokenizer();
    std::vector<ChoiceRequest> requests;
    const std::vector<std::string> contexts = {"Question: Which is a planet?\nAnswer:", "Question: 2+2?\nAnswer:"};
    for (size_t d = 0; d < contexts.size(); ++d) {
      ChoiceRequest r;
      r.tag = d;
      for (const char* choice : {" Mars", " the Moon", " a comet far away"}) {
        auto [ctx, cont] = encode_pair(tok, contexts[d], choice);
        r.context = ctx;
        r.continuations.push_back(cont);
      }
      requests.push_back(r);
    }
    std::vector<std::vector<double>> got(requests.size());
    ChoiceScorer(*engine, 2, 256).run(requests, [&](size_t tag, std::vector<double> lls) { got[tag] = lls; });
    for (size_t d = 0; d < requests.size(); ++d)
      for (size_t c = 0; c < requests[d].continuations.size(); ++c)
        EXPECT_NEAR(got[d][c], reference_loglikelihood(*engine, requests[d].context, requests[d].continuations[c]),
                    2e-3)
            << name << " doc " << d << " choice " << c;
  }
}

TEST(EvalEnginePaths, BatchedGreedyEqualsSessionGreedy) {
  auto engine = Engine::load(test::fixture("models/tiny-qwen3"));
  const Tokenizer& tok = engine->require_tokenizer();
  std::vector<GenerationRequest> requests;
  for (const char* p : {"Q: one\nA:", "Q: two plus two\nA:", "Q: one more\nA:"}) {
    GenerationRequest r;
    r.tag = requests.size();
    r.prompt = tok.encode(p, true);
    r.max_tokens = 20;
    requests.push_back(r);
  }
  std::vector<std::string> batched(requests.size());
  BatchScheduler(*engine, 3, 128).run(requests, [&](size_t tag, GenerationOutput out) { batched[tag] = out.text; });
  for (const auto& r : requests) {
    Session session(*engine, 128);
    GenerateOptions opts;
    opts.max_tokens = 20;
    const auto result = session.generate(r.prompt, opts);
    EXPECT_EQ(batched[r.tag], decode_continuation(tok, r.prompt, result.ids, false)) << r.tag;
  }
}

TEST(EvalEnginePaths, StopStringsCutTheOutput) {
  auto engine = Engine::load(test::fixture("models/tiny-qwen3"));
  const Tokenizer& tok = engine->require_tokenizer();
  GenerationRequest r;
  r.prompt = tok.encode("Q: x\nA:", true);
  r.max_tokens = 40;
  std::string full;
  BatchScheduler(*engine, 1, 128).run({r}, [&](size_t, GenerationOutput out) { full = out.text; });
  ASSERT_GE(full.size(), 6u);
  r.stops = {full.substr(3, 3)};  // a stop string the model is known to produce
  GenerationOutput cut;
  BatchScheduler(*engine, 1, 128).run({r}, [&](size_t, GenerationOutput out) { cut = out; });
  EXPECT_EQ(cut.finish_reason, "stop");
  EXPECT_EQ(cut.text, full.substr(0, full.find(r.stops[0])));
}

TEST(EvalEnginePaths, ChatPromptsUseTheModelTemplate) {
  auto engine = Engine::load(test::fixture("models/tiny-qwen3"));
  TaskOptions o;
  o.data_dir = test::fixture("evals");
  o.variant = "gsm8k_cot_chat";
  auto gsm = make_task("gsm8k", o);
  const std::string text = render_prompt(*engine, gsm->prompt(gsm->docs()[0]), std::nullopt);
  EXPECT_EQ(text.rfind("<|im_start|>user\nQ: There are 15 trees in the grove.", 0), 0u) << text.substr(0, 80);
  size_t turns = 0;
  for (size_t at = 0; (at = text.find("<|im_start|>assistant\n", at)) != std::string::npos; ++at) ++turns;
  EXPECT_EQ(turns, 9u);  // 8 answered shots + the generation prompt
  EXPECT_TRUE(text.ends_with("How much in dollars does she make every day at the farmers' market?\nA:<|im_end|>\n"
                             "<|im_start|>assistant\n"));
  o.variant = "arc_challenge_chat";
  auto arc = make_task("arc_challenge", o);
  EXPECT_TRUE(render_prompt(*engine, arc->prompt(arc->docs()[0]), std::nullopt)
                  .ends_with("<|im_start|>assistant\nThe best answer is"));
}

}  // namespace slm::eval

namespace slm::eval {

TEST(EvalEnginePaths, BosPolicy) {
  for (const char* name : {"tiny-llama3", "tiny-qwen3"}) {
    auto engine = Engine::load(test::fixture(std::string("models/") + name));
    const Tokenizer& tok = engine->require_tokenizer();
    const std::string text = "Question: why?\nAnswer:";
    EXPECT_EQ(encode_completion(tok, text, BosPolicy::tokenizer), tok.encode(text, true)) << name;
    EXPECT_EQ(encode_completion(tok, text, BosPolicy::never), tok.encode(text, false)) << name;
    const auto on = encode_completion(tok, text, BosPolicy::always);
    if (tok.bos_id()) {
      EXPECT_EQ(on.front(), *tok.bos_id()) << name;
      EXPECT_EQ(std::count(on.begin(), on.end(), *tok.bos_id()), 1) << name;
    }
    EXPECT_THROW(parse_bos_policy("maybe"), std::exception);
  }
}

}  // namespace slm::eval
