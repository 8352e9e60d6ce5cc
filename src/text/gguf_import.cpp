// Tokenizer::from_gguf_vocab: a tokenizer from GGUF tokenizer.ggml.* metadata, following
// llama.cpp's semantics for each vocabulary type ("gpt2": byte-level BPE with a regex
// pre-tokenizer chosen by tokenizer.ggml.pre; "llama": score-driven SentencePiece BPE).
#include <map>

#include "slm/error.h"
#include "text/bpe_model.h"
#include "text/pipeline_tokenizer.h"
#include "text/spm_model.h"

namespace slm {

namespace {

enum TokenType { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6 };

struct PreTokenizerSpec {
  std::vector<std::string> regexes;
  bool ignore_merges = false;
  bool add_bos = false;
};

// The regex lists llama.cpp uses for each tokenizer.ggml.pre value.
const PreTokenizerSpec* pre_spec(const std::string& pre) {
  static const std::string contractions = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";
  static const std::string gpt2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
  static const std::map<std::string, PreTokenizerSpec> specs = {
      {"llama3",
       {{contractions + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
        true,
        true}},
      {"qwen2",
       {{contractions + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
        false,
        false}},
      {"qwen35",
       {{contractions +
         "|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
        false,
        false}},
      {"gpt-4o",
       {{"[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
         "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
         "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
        false,
        false}},
      {"deepseek-v3",
       {{"\\p{N}{1,3}", "[\\x{4E00}-\\x{9FA5}\\x{3040}-\\x{309F}\\x{30A0}-\\x{30FF}]+",
         "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+"
         "| ?[\\p{P}\\p{S}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
        false,
        true}},
      {"smollm", {{"\\p{N}", gpt2}, false, false}},
      {"gpt2", {{gpt2}, false, false}},
      {"default",
       {{"[\\p{P}\\$\\+<=>\\^~\\|]+", gpt2, "\\p{N}+", "[0-9][0-9][0-9]"}, false, false}},
  };
  static const std::map<std::string, std::string> aliases = {
      {"llama-bpe", "llama3"}, {"llama-v3", "llama3"},     {"falcon3", "llama3"},
      {"qwen2.5", "qwen2"},    {"qwen-2.5", "qwen2"},      {"deepseek-r1-qwen", "qwen2"},
      {"gpt-2", "gpt2"},       {"deepseek-v3", "deepseek-v3"}, {"", "default"},
  };
  std::string key = pre;
  if (auto a = aliases.find(pre); a != aliases.end()) key = a->second;
  auto it = specs.find(key);
  return it == specs.end() ? nullptr : &it->second;
}

std::vector<AddedToken> added_tokens_from_types(const GgufVocab& v) {
  // Control and unknown tokens are matched as special tokens; user-defined ones as plain added tokens.
  std::vector<AddedToken> out;
  for (size_t i = 0; i < v.token_types.size() && i < v.tokens.size(); ++i) {
    int t = v.token_types[i];
    if (t != kControl && t != kUnknown && t != kUserDefined) continue;
    AddedToken a;
    a.content = std::string(v.tokens[i]);
    a.id = static_cast<int32_t>(i);
    a.special = t != kUserDefined;
    out.push_back(std::move(a));
  }
  return out;
}

void check_id(const std::optional<int32_t>& id, size_t n, const char* what) {
  if (id && (*id < 0 || static_cast<size_t>(*id) >= n))
    throw Error(std::string("GGUF vocabulary: ") + what + " " + std::to_string(*id) + " is out of range (" +
                std::to_string(n) + " tokens)");
}

std::unique_ptr<PostProcessor> bos_eos(const GgufVocab& v, bool default_bos) {
  std::vector<int32_t> pre, post;
  if (v.add_bos.value_or(default_bos)) {
    if (!v.bos_id) throw Error("GGUF vocabulary: add_bos_token is set but there is no bos_token_id");
    pre.push_back(*v.bos_id);
  }
  if (v.add_eos.value_or(false)) {
    if (!v.eos_id) throw Error("GGUF vocabulary: add_eos_token is set but there is no eos_token_id");
    post.push_back(*v.eos_id);
  }
  return make_affix_processor(std::move(pre), std::move(post));
}

// Takes the tokens out of `v`: the model keeps the only copy.
std::unique_ptr<Tokenizer> gpt2_vocab(GgufVocab& v) {
  const PreTokenizerSpec* spec = pre_spec(v.pre);
  if (!spec) throw Error("GGUF vocabulary: unsupported tokenizer.ggml.pre \"" + v.pre + "\"");
  if (v.merges.empty()) throw Error("GGUF vocabulary: gpt2 model without tokenizer.ggml.merges");
  std::vector<BpeModel::MergePieces> merges;  // views of v.merges
  merges.reserve(v.merges.size());
  for (size_t i = 0; i < v.merges.size(); ++i) {
    const std::string_view m = v.merges[i];
    size_t sp = m.find(' ', 1);
    if (sp == std::string::npos)
      throw Error("GGUF vocabulary: merge " + std::to_string(i) + " \"" + std::string(m) + "\" has no space");
    merges.emplace_back(m.substr(0, sp), m.substr(sp + 1));
  }
  BpeOptions opt;
  opt.ignore_merges = spec->ignore_merges;
  TokenizerParts parts;
  parts.added_tokens = added_tokens_from_types(v);
  parts.model = std::make_unique<BpeModel>(std::move(v.tokens), merges, opt, "GGUF vocabulary");
  std::vector<std::unique_ptr<PreTokenizer>> pre;
  for (const auto& re : spec->regexes)
    pre.push_back(make_regex_split(re, SplitBehavior::Isolated, false, "GGUF pre-tokenizer \"" + v.pre + "\""));
  pre.push_back(make_byte_level_pre_tokenizer(false, false));
  parts.pre_tokenizer = make_sequence_pre_tokenizer(std::move(pre));
  parts.decoder = make_byte_level_decoder();
  parts.post_processor = bos_eos(v, spec->add_bos);
  parts.bos_id = v.bos_id;
  parts.eos_id = v.eos_id;
  return std::make_unique<PipelineTokenizer>(std::move(parts));
}

// Takes the tokens and scores out of `v`: the model keeps the only copy.
std::unique_ptr<Tokenizer> llama_vocab(GgufVocab& v) {
  const std::string space = "\xE2\x96\x81";
  bool prefix = v.add_space_prefix.value_or(true);
  TokenizerParts parts;
  int32_t unk = v.unk_id.value_or(0);
  parts.added_tokens = added_tokens_from_types(v);
  parts.model = std::make_unique<SpmModel>(std::move(v.tokens), std::move(v.scores), unk);
  std::vector<std::unique_ptr<Normalizer>> norm;
  if (prefix) norm.push_back(make_prepend_normalizer(space));
  norm.push_back(make_replace_normalizer(" ", space));
  parts.normalizer = make_sequence_normalizer(std::move(norm));
  std::vector<std::unique_ptr<Decoder>> dec;
  dec.push_back(make_replace_decoder(space, " "));
  dec.push_back(make_byte_fallback_decoder());
  dec.push_back(make_fuse_decoder());
  if (prefix) dec.push_back(make_strip_decoder(" ", 1, 0));
  parts.decoder = make_sequence_decoder(std::move(dec));
  parts.post_processor = bos_eos(v, true);
  parts.bos_id = v.bos_id;
  parts.eos_id = v.eos_id;
  return std::make_unique<PipelineTokenizer>(std::move(parts));
}

}  // namespace

std::unique_ptr<Tokenizer> Tokenizer::from_gguf_vocab(GgufVocab vocab) {
  const size_t n = vocab.tokens.size();
  if (n == 0) throw Error("GGUF vocabulary: tokenizer.ggml.tokens is empty");
  if (!vocab.scores.empty() && vocab.scores.size() != n)
    throw Error("GGUF vocabulary: " + std::to_string(vocab.scores.size()) + " scores for " + std::to_string(n) + " tokens");
  if (!vocab.token_types.empty() && vocab.token_types.size() != n)
    throw Error("GGUF vocabulary: " + std::to_string(vocab.token_types.size()) + " token types for " +
                std::to_string(n) + " tokens");
  check_id(vocab.bos_id, n, "bos_token_id");
  check_id(vocab.eos_id, n, "eos_token_id");
  check_id(vocab.unk_id, n, "unknown_token_id");
  check_id(vocab.pad_id, n, "padding_token_id");
  if (vocab.model == "gpt2") return gpt2_vocab(vocab);
  if (vocab.model == "llama") return llama_vocab(vocab);
  throw Error("GGUF vocabulary: unsupported tokenizer.ggml.model \"" + vocab.model + "\"");
}

}  // namespace slm
