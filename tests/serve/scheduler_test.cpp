// The continuous-batching scheduler gives each job exactly what a lone Session would.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "engine/engine.h"
#include "serve/scheduler.h"
#include "test_support.h"

namespace slm::serve {
namespace {

struct Collected {
  std::mutex mutex;
  std::condition_variable done_cv;
  std::vector<int32_t> ids;
  JobResult result;
  bool done = false;
};

std::shared_ptr<GenerationJob> greedy_job(std::vector<int32_t> prompt, int max_tokens, std::shared_ptr<Collected> out) {
  auto job = std::make_shared<GenerationJob>();
  job->prompt = std::move(prompt);
  job->max_tokens = max_tokens;
  job->on_token = [out](const GeneratedToken& t) {
    out->ids.push_back(t.id);
    return true;
  };
  job->on_finish = [out](const JobResult& r) {
    std::lock_guard<std::mutex> lock(out->mutex);
    out->result = r;
    out->done = true;
    out->done_cv.notify_all();
  };
  return job;
}

TEST(ServeScheduler, BatchedJobsMatchLoneSessionsAndReusePrefixes) {
  LoadOptions load;
  load.threads = 1;
  auto engine = Engine::load(test::fixture("models/tiny-qwen3"), load);
  const Tokenizer& tok = engine->require_tokenizer();
  const std::vector<std::string> prompts = {"The cat sat on the mat and", "The cat sat on the mat or", "Dogs bark at night",
                                            "The cat sat on", "A completely different start"};
  constexpr int kTokens = 20;

  std::vector<std::vector<int32_t>> expected;
  for (const auto& p : prompts) {
    Session session(*engine, 512);
    GenerateOptions o;
    o.max_tokens = kTokens;
    o.stop_at_eos = true;
    expected.push_back(session.generate(tok.encode(p), o).ids);
  }

  SchedulerOptions so;
  so.parallel = 2;  // fewer slots than jobs: later jobs join as earlier ones finish
  so.context = 512;
  so.prefill_chunk = 3;  // prompts run over several steps, interleaved with decoding
  Scheduler scheduler(*engine, so);
  for (int round = 0; round < 2; ++round) {  // the second round finds the prompts cached
    std::vector<std::shared_ptr<Collected>> outs;
    for (const auto& p : prompts) {
      outs.push_back(std::make_shared<Collected>());
      scheduler.submit(greedy_job(tok.encode(p), kTokens, outs.back()));
    }
    int64_t reused = 0;
    for (size_t i = 0; i < outs.size(); ++i) {
      std::unique_lock<std::mutex> lock(outs[i]->mutex);
      ASSERT_TRUE(outs[i]->done_cv.wait_for(lock, std::chrono::seconds(60), [&] { return outs[i]->done; }));
      EXPECT_EQ(outs[i]->ids, expected[i]) << prompts[i];
      reused += outs[i]->result.cached_tokens;
    }
    if (round == 1) {
      EXPECT_GT(reused, 0);
    }
  }
}

TEST(ServeScheduler, CancelledJobFinishesAndFreesItsSlot) {
  LoadOptions load;
  load.threads = 1;
  auto engine = Engine::load(test::fixture("models/tiny-llama3"), load);
  SchedulerOptions so;
  so.parallel = 1;
  so.context = 4096;
  Scheduler scheduler(*engine, so);
  auto out = std::make_shared<Collected>();
  auto job = greedy_job({1, 2, 3}, 4000, out);
  job->on_token = [job_ptr = job.get()](const GeneratedToken&) {
    job_ptr->cancelled = true;  // as a vanished client would
    return true;
  };
  scheduler.submit(job);
  std::unique_lock<std::mutex> lock(out->mutex);
  ASSERT_TRUE(out->done_cv.wait_for(lock, std::chrono::seconds(30), [&] { return out->done; }));
  EXPECT_EQ(out->result.finish_reason, "cancelled");
  EXPECT_LE(out->result.completion_tokens, 2);
}

}  // namespace
}  // namespace slm::serve
