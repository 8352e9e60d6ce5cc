// Tokenizer::from_gguf_vocab against the tokenizer.json path: the vocabularies are rebuilt as
// llama.cpp's converter writes them (tokens, token types, merges or scores).
#include <gtest/gtest.h>

#include <fstream>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "slm/error.h"
#include "test_support.h"
#include "tok_test_util.h"
#include "text/tokenizer.h"
#include "text/unicode.h"

namespace slm {
namespace {

using nlohmann::json;

json load(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

struct Source {
  json tj, cfg;
};

Source source(const std::string& dir) { return {load(dir + "/tokenizer.json"), load(dir + "/tokenizer_config.json")}; }

// tokens by id (model vocabulary + added tokens), token types, merges as "a b".
GgufVocab base_vocab(const Source& s) {
  GgufVocab v;
  size_t n = 0;
  for (const auto& [piece, id] : s.tj["model"]["vocab"].items()) n = std::max(n, id.get<size_t>() + 1);
  for (const auto& a : s.tj["added_tokens"]) n = std::max(n, a["id"].get<size_t>() + 1);
  std::vector<std::string> tokens(n);
  v.token_types.assign(n, 1);
  for (const auto& [piece, id] : s.tj["model"]["vocab"].items()) tokens[id.get<size_t>()] = piece;
  for (const auto& a : s.tj["added_tokens"]) {
    size_t id = a["id"];
    tokens[id] = a["content"];
    v.token_types[id] = a["special"].get<bool>() ? 3 : 4;
  }
  v.tokens = PieceTable::from(tokens);
  for (const auto& m : s.tj["model"]["merges"])
    v.merges.push_back(m.is_string() ? m.get<std::string>() : m[0].get<std::string>() + " " + m[1].get<std::string>());
  auto id_of = [&](const char* key) -> std::optional<int32_t> {
    if (!s.cfg.contains(key) || s.cfg[key].is_null()) return std::nullopt;
    std::string content = s.cfg[key].is_string() ? s.cfg[key].get<std::string>() : s.cfg[key]["content"].get<std::string>();
    for (size_t i = 0; i < v.tokens.size(); ++i)
      if (v.tokens[i] == content) return static_cast<int32_t>(i);
    return std::nullopt;
  };
  v.bos_id = id_of("bos_token");
  v.eos_id = id_of("eos_token");
  return v;
}

GgufVocab gpt2_vocab(const Source& s, const std::string& pre) {
  GgufVocab v = base_vocab(s);
  v.model = "gpt2";
  v.pre = pre;
  v.add_bos = false;
  return v;
}

// SentencePiece form: scores = -rank of the merge that first produces a piece, <0xNN> are byte
// tokens (6), specials control (3), <unk> unknown (2).
GgufVocab spm_vocab(const Source& s, bool add_space_prefix) {
  GgufVocab v = base_vocab(s);
  v.model = "llama";
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < v.tokens.size(); ++i) index.emplace(v.tokens[i], i);
  v.scores.assign(v.tokens.size(), -1e9f);
  for (size_t r = 0; r < v.merges.size(); ++r) {
    const std::string_view m = v.merges[r];
    size_t sp = m.find(' ', 1);
    auto it = index.find(std::string(m.substr(0, sp)).append(m.substr(sp + 1)));
    if (it != index.end() && v.scores[it->second] == -1e9f) v.scores[it->second] = -static_cast<float>(r);
  }
  for (size_t i = 0; i < v.tokens.size(); ++i) {
    const std::string_view t = v.tokens[i];
    if (t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>') v.token_types[i] = 6;
  }
  std::string unk = s.tj["model"].value("unk_token", std::string());
  for (size_t i = 0; i < v.tokens.size(); ++i)
    if (v.tokens[i] == unk) v.token_types[i] = 2, v.unk_id = static_cast<int32_t>(i);
  v.merges = {};
  v.add_space_prefix = add_space_prefix;
  return v;
}

// Compares the GGUF path with the recorded tokenizer.json ids on every case without specials.
void compare_cases(const Tokenizer& gguf, const std::string& name, bool skip_nfc_changes, int max_failures = 0) {
  int ok = 0, total = 0, failures = 0;
  for (const auto& c : test::read_jsonl(test::fixture("tokenizers/" + name + "/cases.jsonl"))) {
    if (c["add_special_tokens"].get<bool>()) continue;
    std::string text = c["text"];
    // llama.cpp does not apply the NFC normalizer of tokenizer.json.
    if (skip_nfc_changes && unicode::nfc(text) != text) continue;
    ++total;
    auto ids = gguf.encode(text, false);
    if (ids == c["ids"].get<std::vector<int32_t>>()) {
      ++ok;
      continue;
    }
    if (++failures <= 3)
      std::printf("[ gguf      ] %s %s differs: text=%s\n", name.c_str(), c["id"].get<std::string>().c_str(),
                  json(text).dump().substr(0, 120).c_str());
  }
  std::printf("[ gguf      ] %-12s %d/%d cases equal to tokenizer.json\n", name.c_str(), ok, total);
  EXPECT_LE(failures, max_failures) << name;
  EXPECT_GT(total, 100);
}

TEST(TokGgufVocab, Llama3ByteLevelBpe) {
  auto s = source(test::fixture("tokenizers/llama3_1"));
  auto tok = Tokenizer::from_gguf_vocab(gpt2_vocab(s, "llama-bpe"));
  compare_cases(*tok, "llama3_1", false);
}

TEST(TokGgufVocab, Qwen2ByteLevelBpe) {
  auto s = source(test::fixture("tokenizers/qwen3"));
  auto tok = Tokenizer::from_gguf_vocab(gpt2_vocab(s, "qwen2"));
  compare_cases(*tok, "qwen3", true);
}

TEST(TokGgufVocab, Gpt4oByteLevelBpe) {
  auto s = source(test::fixture("tokenizers/gpt4o"));
  auto tok = Tokenizer::from_gguf_vocab(gpt2_vocab(s, "gpt-4o"));
  compare_cases(*tok, "gpt4o", false);
}

TEST(TokGgufVocab, DeepseekV3ByteLevelBpe) {
  auto s = source(test::fixture("tokenizers/deepseek_v3"));
  auto tok = Tokenizer::from_gguf_vocab(gpt2_vocab(s, "deepseek-v3"));
  compare_cases(*tok, "deepseek_v3", false);
}

TEST(TokGgufVocab, Llama2SentencePiece) {
  auto s = source(test::fixture("tokenizers/llama2"));
  auto tok = Tokenizer::from_gguf_vocab(spm_vocab(s, true));
  compare_cases(*tok, "llama2", false);
}

TEST(TokGgufVocab, Gemma3SentencePiece) {
  auto s = source(test::fixture("tokenizers/gemma3"));
  auto tok = Tokenizer::from_gguf_vocab(spm_vocab(s, false));
  compare_cases(*tok, "gemma3", false);
}

TEST(TokGgufVocab, Stories260kSentencePiece) {
  std::string dir = test::fixture("models/stories260k");
  auto s = source(dir);
  GgufVocab v = spm_vocab(s, true);
  v.bos_id = 1;
  v.eos_id = 2;
  auto gguf = Tokenizer::from_gguf_vocab(v);
  auto json_tok = Tokenizer::from_hf_dir(dir);
  EXPECT_TRUE(gguf->adds_bos());
  for (const auto& c : test::read_jsonl(dir + "/expected.jsonl")) {
    EXPECT_EQ(gguf->encode(c["prompt"].get<std::string>(), true), c["prompt_ids"].get<std::vector<int32_t>>());
    std::vector<int32_t> all = c["prompt_ids"];
    for (int32_t id : c["greedy_ids"].get<std::vector<int32_t>>()) all.push_back(id);
    EXPECT_EQ(gguf->decode(all, true), c["text"].get<std::string>());
  }
  for (std::string text : {"Hello world", "  two  spaces ", "crêpe 你好 🙂", "a\nb\tc", "<s>inside</s> x", ""})
    EXPECT_EQ(gguf->encode(text, true), json_tok->encode(text, true)) << text;
}

TEST(TokGgufVocab, TinyGemma3SentencePiece) {
  std::string dir = test::fixture("models/tiny-gemma3");
  auto s = source(dir);
  auto gguf = Tokenizer::from_gguf_vocab(spm_vocab(s, false));
  auto ref = load(dir + "/reference.json");
  EXPECT_EQ(gguf->encode(ref["tokenizer_check"]["text"].get<std::string>(), false),
            ref["tokenizer_check"]["ids"].get<std::vector<int32_t>>());
  EXPECT_EQ(gguf->encode(ref["prompt_text"].get<std::string>(), true), ref["prompt_ids"].get<std::vector<int32_t>>());
}

TEST(TokGgufVocab, RejectsBadMetadata) {
  GgufVocab v;
  v.model = "gpt2";
  EXPECT_THROW(Tokenizer::from_gguf_vocab(v), Error);
  v.tokens = {"a", "b", "ab"};
  v.merges = {"a b"};
  v.pre = "no-such-pre";
  try {
    Tokenizer::from_gguf_vocab(v);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no-such-pre"), std::string::npos);
  }
  v.pre = "qwen2";
  v.model = "bert";
  EXPECT_THROW(Tokenizer::from_gguf_vocab(v), Error);
  v.model = "gpt2";
  v.bos_id = 7;
  EXPECT_THROW(Tokenizer::from_gguf_vocab(v), Error);
  v.bos_id.reset();
  v.merges = {"a c"};
  EXPECT_THROW(Tokenizer::from_gguf_vocab(v), Error);
}

}  // namespace
}  // namespace slm
