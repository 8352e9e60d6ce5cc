#include "eval/choice_scorer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <memory>

#include "model/kv_cache.h"
#include "slm/error.h"

namespace slm::eval {

std::pair<std::vector<int32_t>, std::vector<int32_t>> encode_pair(const Tokenizer& tok, std::string context,
                                                                  std::string continuation, BosPolicy bos) {
  size_t spaces = 0;
  while (spaces < context.size() && std::isspace(static_cast<unsigned char>(context[context.size() - 1 - spaces])))
    ++spaces;
  if (spaces > 0) {
    continuation = context.substr(context.size() - spaces) + continuation;
    context.resize(context.size() - spaces);
  }
  std::vector<int32_t> whole = encode_completion(tok, context + continuation, bos);
  std::vector<int32_t> ctx = encode_completion(tok, context, bos);
  const size_t split = std::min(ctx.size(), whole.size());
  return {ctx, std::vector<int32_t>(whole.begin() + static_cast<std::ptrdiff_t>(split), whole.end())};
}

namespace {

// log softmax(logits)[id]
double log_prob(const float* logits, int64_t V, int32_t id) {
  float max = logits[0];
  for (int64_t i = 1; i < V; ++i) max = std::max(max, logits[i]);
  double sum = 0;
  for (int64_t i = 0; i < V; ++i) sum += std::exp(static_cast<double>(logits[i] - max));
  return static_cast<double>(logits[id] - max) - std::log(sum);
}

struct DocState {
  const ChoiceRequest* request = nullptr;
  std::unique_ptr<KVCache> cache;
  std::vector<int32_t> cached;
  std::vector<float> context_logits;  // next-token logits after the context
  std::vector<int32_t> feed;
  size_t fed_from = 0;  // index in context + continuation of the first fed token
  std::vector<double> lls;
};

}  // namespace

ChoiceScorer::ChoiceScorer(Engine& engine, int parallel, int64_t context)
    : engine_(engine), parallel_(std::max(1, parallel)), context_(context) {}

void ChoiceScorer::run(const std::vector<ChoiceRequest>& requests,
                       const std::function<void(size_t, std::vector<double>)>& on_done) {
  const int64_t V = engine_.config().vocab_size;
  ForwardScratch scratch;
  std::vector<DocState> states(std::min<size_t>(parallel_, requests.size()));
  for (auto& st : states) st.cache = std::make_unique<KVCache>(engine_.config(), context_, engine_.kv_cache_options());
  std::vector<BatchItem> items;
  std::vector<DocState*> active;

  for (size_t first = 0; first < requests.size(); first += states.size()) {
    const size_t count = std::min(states.size(), requests.size() - first);
    // Contexts: reuse whatever prefix the slot's cache shares with the new context.
    items.clear();
    active.clear();
    for (size_t i = 0; i < count; ++i) {
      DocState& st = states[i];
      st.request = &requests[first + i];
      const auto& ctx = st.request->context;
      if (ctx.empty()) throw Error("empty context");
      for (const auto& c : st.request->continuations)
        if (static_cast<int64_t>(ctx.size() + c.size()) > context_) throw Error("choice does not fit the context");
      size_t keep = 0;
      while (keep < st.cached.size() && keep + 1 < ctx.size() && st.cached[keep] == ctx[keep]) ++keep;
      keep = static_cast<size_t>(st.cache->rollback(static_cast<int64_t>(keep)));
      st.cached.assign(ctx.begin(), ctx.end());
      st.feed.assign(ctx.begin() + static_cast<std::ptrdiff_t>(keep), ctx.end());
      processed_ += static_cast<int64_t>(st.feed.size());
      reused_ += static_cast<int64_t>(keep);
      st.lls.assign(st.request->continuations.size(), 0.0);
      items.push_back(BatchItem{st.feed, st.cache.get(), false});
      active.push_back(&st);
    }
    engine_.model().forward_batch(items, scratch, engine_.pool());
    for (size_t i = 0; i < active.size(); ++i) {
      active[i]->context_logits.assign(scratch.logits.begin() + static_cast<int64_t>(i) * V,
                                       scratch.logits.begin() + static_cast<int64_t>(i + 1) * V);
      active[i]->cache->checkpoint();
    }

    size_t most_choices = 0;
    for (size_t i = 0; i < count; ++i) most_choices = std::max(most_choices, states[i].request->continuations.size());
    for (size_t choice = 0; choice < most_choices; ++choice) {
      items.clear();
      active.clear();
      for (size_t i = 0; i < count; ++i) {
        DocState& st = states[i];
        if (choice >= st.request->continuations.size()) continue;
        const auto& ctx = st.request->context;
        const auto& cont = st.request->continuations[choice];
        // Back to the end of the context; with recurrent layers that may mean further back.
        const size_t kept = static_cast<size_t>(st.cache->rollback(static_cast<int64_t>(ctx.size())));
        st.fed_from = kept;
        st.feed.clear();
        for (size_t j = kept; j < ctx.size() + cont.size(); ++j)
          st.feed.push_back(j < ctx.size() ? ctx[j] : cont[j - ctx.size()]);
        processed_ += static_cast<int64_t>(st.feed.size());
        reused_ += static_cast<int64_t>(kept);
        items.push_back(BatchItem{st.feed, st.cache.get(), true});
        active.push_back(&st);
      }
      engine_.model().forward_batch(items, scratch, engine_.pool());
      int64_t row_base = 0;
      for (DocState* st : active) {
        const auto& ctx = st->request->context;
        const auto& cont = st->request->continuations[choice];
        double ll = 0;
        for (size_t k = 0; k < cont.size(); ++k) {
          const size_t predictor = ctx.size() + k - 1;  // position whose logits predict cont[k]
          const float* logits = predictor < st->fed_from
                                    ? st->context_logits.data()
                                    : scratch.logits.data() + (row_base + static_cast<int64_t>(predictor - st->fed_from)) * V;
          ll += log_prob(logits, V, cont[k]);
        }
        st->lls[choice] = ll;
        row_base += static_cast<int64_t>(st->feed.size());
      }
    }
    for (size_t i = 0; i < count; ++i) {
      DocState& st = states[i];
      const auto kept = st.cache->rollback(static_cast<int64_t>(st.request->context.size()));
      st.cached.resize(static_cast<size_t>(kept));
      on_done(st.request->tag, std::move(st.lls));
    }
  }
}

}  // namespace slm::eval
