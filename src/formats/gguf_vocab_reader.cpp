#include "formats/gguf_vocab_reader.h"

#include "slm/error.h"

namespace slm {

GgufVocab read_gguf_vocab(const GgufFile& f) {
  if (!f.has("tokenizer.ggml.model") || !f.has("tokenizer.ggml.tokens"))
    throw Error(f.path() + ": no tokenizer (tokenizer.ggml.model / tokenizer.ggml.tokens missing)");
  GgufVocab v;
  v.model = f.get_string("tokenizer.ggml.model");
  if (f.has("tokenizer.ggml.pre")) v.pre = f.get_string("tokenizer.ggml.pre");
  v.tokens = PieceTable::from(f.get_string_views("tokenizer.ggml.tokens"));  // sized once, no per-token strings
  const size_t n = v.tokens.size();
  if (f.has("tokenizer.ggml.scores")) {
    const auto scores = f.get_float_array("tokenizer.ggml.scores");
    v.scores.assign(scores.begin(), scores.end());  // one allocation of the final size
    if (v.scores.size() != n)
      throw Error(f.path() + ": tokenizer.ggml.scores has " + std::to_string(v.scores.size()) + " entries for " +
                  std::to_string(n) + " tokens");
  }
  if (f.has("tokenizer.ggml.token_type")) {
    const auto types = f.get_int_array("tokenizer.ggml.token_type");
    v.token_types.assign(types.begin(), types.end());
    if (v.token_types.size() != n)
      throw Error(f.path() + ": tokenizer.ggml.token_type has " + std::to_string(v.token_types.size()) +
                  " entries for " + std::to_string(n) + " tokens");
  }
  if (f.has("tokenizer.ggml.merges")) v.merges = PieceTable::from(f.get_string_views("tokenizer.ggml.merges"));
  auto id = [&](const char* key) -> std::optional<int32_t> {
    auto x = f.int_or(key);
    if (!x) return std::nullopt;
    if (*x < 0 || static_cast<size_t>(*x) >= n)
      throw Error(f.path() + ": " + key + " = " + std::to_string(*x) + " is outside the vocabulary");
    return static_cast<int32_t>(*x);
  };
  v.bos_id = id("tokenizer.ggml.bos_token_id");
  v.eos_id = id("tokenizer.ggml.eos_token_id");
  v.unk_id = id("tokenizer.ggml.unknown_token_id");
  v.pad_id = id("tokenizer.ggml.padding_token_id");
  if (f.has("tokenizer.ggml.add_bos_token")) v.add_bos = f.get_bool("tokenizer.ggml.add_bos_token");
  if (f.has("tokenizer.ggml.add_eos_token")) v.add_eos = f.get_bool("tokenizer.ggml.add_eos_token");
  if (f.has("tokenizer.ggml.add_space_prefix")) v.add_space_prefix = f.get_bool("tokenizer.ggml.add_space_prefix");
  return v;
}

}  // namespace slm
