// Multi-turn chat through a model's real chat template: the follow-up turn processes only the
// tokens after the longest prefix it shares with what the KV cache holds.
#include "engine/chat_session.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "test_support.h"

namespace slm {
namespace {

namespace fs = std::filesystem;

// tiny-qwen3's weights and tokenizer with the real Qwen3-0.6B chat template.
class QwenChat : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::temp_dir("qwen3-chat");
    const std::string src = test::fixture("models/tiny-qwen3");
    for (const char* f : {"config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
                          "tokenizer_config.json"})
      fs::copy_file(src + "/" + f, dir_ + "/" + f);
    fs::copy_file(test::fixture("templates/Qwen__Qwen3-0.6B.jinja"), dir_ + "/chat_template.jinja");
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

size_t common_prefix(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

ChatOptions greedy_options(int n) {
  ChatOptions o;
  o.generate.max_tokens = n;
  o.generate.sampler.temperature = 0;
  return o;
}

TEST_F(QwenChat, SecondTurnProcessesOnlyTheNewTokens) {
  auto engine = Engine::load(dir_);
  ChatOptions opts = greedy_options(6);
  opts.enable_thinking = false;
  ChatSession chat(*engine, opts, 512);
  ASSERT_TRUE(chat.has_template());

  auto t1 = chat.send("What is the capital of France?");
  EXPECT_EQ(t1.result.prompt_tokens_reused, 0);
  EXPECT_EQ(t1.result.prompt_tokens_processed, static_cast<int64_t>(t1.prompt_ids.size()));
  const std::vector<int32_t> cached = chat.cached_tokens();
  EXPECT_EQ(cached.size(), t1.prompt_ids.size() + t1.result.ids.size() - 1);  // the last token was never fed

  auto t2 = chat.send("And of Germany?");
  const size_t shared = common_prefix(cached, t2.prompt_ids);
  EXPECT_GT(shared, t1.prompt_ids.size() / 2);  // the system-free first turn up to the assistant header
  EXPECT_EQ(t2.result.prompt_tokens_reused, static_cast<int64_t>(shared));
  EXPECT_EQ(t2.result.prompt_tokens_processed, static_cast<int64_t>(t2.prompt_ids.size() - shared));
  EXPECT_LT(t2.result.prompt_tokens_processed, static_cast<int64_t>(t2.prompt_ids.size()));

  // The conversation as the template sees it: four messages, the answers recorded as content.
  ASSERT_EQ(chat.messages().size(), 4u);
  EXPECT_EQ(chat.messages()[1]["role"], "assistant");
  EXPECT_EQ(chat.messages()[1]["content"], t1.content);
}

TEST_F(QwenChat, ThinkingOffRendersTheClosedThinkBlockAndLeavesNoResidue) {
  auto engine = Engine::load(dir_);
  ChatOptions opts = greedy_options(4);
  opts.enable_thinking = false;
  ChatSession fresh(*engine, opts, 256);
  auto t = fresh.send("hi");
  const std::string prompt = engine->require_tokenizer().decode(t.prompt_ids, false);
  EXPECT_NE(prompt.find("<|im_start|>assistant\n<think>\n\n</think>\n\n"), std::string::npos) << prompt;
  EXPECT_EQ(t.content.find("<think>"), std::string::npos);
  EXPECT_EQ(t.content.find("</think>"), std::string::npos);
}

TEST_F(QwenChat, CliChatFromStdinReportsReuse) {
  auto r = test::run_cli("chat " + dir_ + " --no-think --temp 0 -n 4 --stats", "hello\nhow are you\n/exit\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Two turns; the second reuses the cached prefix.
  const size_t second = r.err.find("[turn:", r.err.find("[turn:") + 1);
  ASSERT_NE(second, std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("[turn: 0 prompt tokens reused", second), std::string::npos) << r.err;
}

TEST_F(QwenChat, RunChatFormatsThePromptWithTheTemplate) {
  auto r = test::run_cli("run " + dir_ + " --chat -p 'hello' --no-think -n 2 --temp 0 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto engine = Engine::load(dir_);
  const std::string expected =
      "<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n";
  EXPECT_EQ(nlohmann::json::parse(r.out)["prompt_ids"].get<std::vector<int32_t>>(),
            engine->require_tokenizer().encode(expected, false));
}

TEST(ChatSession, BaseModelWithoutTemplateContinuesTheText) {
  auto engine = Engine::load(test::fixture("models/stories260k"));
  ChatSession chat(*engine, greedy_options(20), 512);
  EXPECT_FALSE(chat.has_template());
  auto t1 = chat.send("Once upon a time");
  EXPECT_EQ(t1.content.rfind(", there was", 0), 0u) << t1.content;  // llama2.c's continuation
  auto t2 = chat.send(" The end.");
  EXPECT_GE(t2.result.prompt_tokens_reused, static_cast<int64_t>(t1.prompt_ids.size()));
  EXPECT_LT(t2.result.prompt_tokens_processed, 10);

  auto r = test::run_cli("chat " + test::fixture("models/stories260k") + " --temp 0 -n 10 --stats",
                         "Once upon a time\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind(", there was", 0), 0u) << r.out;
}

}  // namespace
}  // namespace slm
