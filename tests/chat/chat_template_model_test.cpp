// Finding and rendering the chat template a model directory ships with.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "chat/model_template.h"
#include "slm/error.h"
#include "test_support.h"

namespace slm {
namespace {

const nlohmann::ordered_json kConversation = nlohmann::ordered_json::parse(R"([
  {"role": "system", "content": "Be brief."},
  {"role": "user", "content": "Hello!"},
  {"role": "assistant", "content": "Hi."},
  {"role": "user", "content": "Bye."}
])");

TEST(ChatTemplateModel, FindsTemplateInTokenizerConfig) {
  for (const char* model : {"tiny-qwen3", "tiny-qwen35", "tiny-smollm3", "tiny-qwen3-yarn"}) {
    SCOPED_TRACE(model);
    ChatTemplate t = load_model_chat_template(test::fixture(std::string("models/") + model));
    EXPECT_EQ(t.apply(kConversation, nullptr, true),
              "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHello!<|im_end|>\n"
              "<|im_start|>assistant\nHi.<|im_end|>\n<|im_start|>user\nBye.<|im_end|>\n<|im_start|>assistant\n");
    EXPECT_EQ(t.eos_token(), std::optional<std::string>("<|im_end|>"));
    EXPECT_EQ(t.bos_token(), std::nullopt);
  }
}

TEST(ChatTemplateModel, ReadsSpecialTokensFromTokenizerConfig) {
  ChatTemplate t = load_model_chat_template(test::fixture("models/tiny-gemma3"));
  EXPECT_EQ(t.bos_token(), std::optional<std::string>("<bos>"));
  auto two_turns = nlohmann::ordered_json::parse(R"([{"role": "user", "content": "Hi"},
                                                     {"role": "assistant", "content": "Yo "}])");
  EXPECT_EQ(t.apply(two_turns, nullptr, false),
            "<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\nYo<end_of_turn>\n");
}

TEST(ChatTemplateModel, EveryModelWithATemplateRenders) {
  for (const auto& entry : std::filesystem::directory_iterator(test::fixture("models"))) {
    if (!entry.is_directory()) continue;
    std::ifstream in(entry.path() / "tokenizer_config.json");
    if (!in) continue;
    auto config = nlohmann::json::parse(in);
    if (!config.contains("chat_template")) continue;
    SCOPED_TRACE(entry.path().string());
    ChatTemplate t = load_model_chat_template(entry.path().string());
    std::string text = t.apply(nlohmann::ordered_json::parse(R"([{"role": "user", "content": "ping"}])"), nullptr, true);
    EXPECT_NE(text.find("ping"), std::string::npos);
  }
}

class TempModelDir : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::temp_dir("model-template"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name, std::ios::binary) << text;
  }
  std::string dir_;
};

TEST_F(TempModelDir, ChatTemplateJinjaFileWinsOverTokenizerConfig) {
  write("tokenizer_config.json", R"({"chat_template": "from config", "bos_token": {"content": "<s>", "lstrip": false}})");
  write("chat_template.jinja", "{{ bos_token }}from file{{ messages | length }}\n");
  ChatTemplate t = load_model_chat_template(dir_);
  EXPECT_EQ(t.apply(nlohmann::ordered_json::array(), nullptr, false), "<s>from file0");
}

TEST_F(TempModelDir, NamedTemplateListUsesDefault) {
  write("tokenizer_config.json",
        R"({"chat_template": [{"name": "tool_use", "template": "tools"}, {"name": "default", "template": "plain"}],
            "eos_token": "</s>"})");
  ChatTemplate t = load_model_chat_template(dir_);
  EXPECT_EQ(t.apply(nlohmann::ordered_json::array(), nullptr, false), "plain");
  EXPECT_EQ(t.eos_token(), std::optional<std::string>("</s>"));
}

TEST_F(TempModelDir, MissingTemplateIsAnError) {
  write("tokenizer_config.json", R"({"eos_token": "</s>"})");
  EXPECT_THROW(load_model_chat_template(dir_), Error);
}

TEST(ChatTemplateApply, ExtraKwargsOverrideSpecialTokensAndClockIsInjectable) {
  ChatTemplate t = ChatTemplate::from_string("{{ bos_token }}|{{ eos_token }}|{{ strftime_now('%d %b %Y %H:%M') }}|{{ tools }}|{{ documents }}");
  t.set_special_tokens("<s>", "</s>");
  t.set_clock(ChatTemplate::parse_iso_datetime("2025-07-08T10:30:00"));
  EXPECT_EQ(t.apply(nlohmann::ordered_json::array(), nullptr, false), "<s>|</s>|08 Jul 2025 10:30|None|None");
  EXPECT_EQ(t.apply(nlohmann::ordered_json::array(), nullptr, false, {{"bos_token", "[B]"}}),
            "[B]|</s>|08 Jul 2025 10:30|None|None");
}

TEST(ChatTemplateApply, UnsetSpecialTokensAreUndefined) {
  ChatTemplate t = ChatTemplate::from_string("{{ bos_token is defined }}{{ eos_token is defined }}");
  EXPECT_EQ(t.apply(nlohmann::ordered_json::array(), nullptr, false), "FalseFalse");
}

TEST(ChatTemplateApply, RaiseExceptionMessageIsExact) {
  ChatTemplate t = ChatTemplate::from_string("{% if messages | length == 0 %}{{ raise_exception('No messages!') }}{% endif %}");
  try {
    t.apply(nlohmann::ordered_json::array(), nullptr, false);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "No messages!");
  }
}

}  // namespace
}  // namespace slm
