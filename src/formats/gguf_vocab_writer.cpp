#include "formats/gguf_vocab_writer.h"

namespace slm {

namespace {
void set_pieces(GgufWriter& w, const std::string& key, const PieceTable& pieces) {
  std::vector<std::string_view> views(pieces.size());
  for (size_t i = 0; i < views.size(); ++i) views[i] = pieces[i];
  w.set_string_view_array(key, views);
}
}  // namespace

void write_gguf_vocab(GgufWriter& w, const GgufVocab& v) {
  w.set_string("tokenizer.ggml.model", v.model);
  if (!v.pre.empty()) w.set_string("tokenizer.ggml.pre", v.pre);
  set_pieces(w, "tokenizer.ggml.tokens", v.tokens);
  if (!v.scores.empty()) w.set_f32_array("tokenizer.ggml.scores", v.scores);
  if (!v.token_types.empty()) w.set_i32_array("tokenizer.ggml.token_type", v.token_types);
  if (!v.merges.empty()) set_pieces(w, "tokenizer.ggml.merges", v.merges);
  auto id = [&](const char* key, const std::optional<int32_t>& value) {
    if (value) w.set_u32(key, static_cast<uint32_t>(*value));
  };
  id("tokenizer.ggml.bos_token_id", v.bos_id);
  id("tokenizer.ggml.eos_token_id", v.eos_id);
  id("tokenizer.ggml.unknown_token_id", v.unk_id);
  id("tokenizer.ggml.padding_token_id", v.pad_id);
  if (v.add_bos) w.set_bool("tokenizer.ggml.add_bos_token", *v.add_bos);
  if (v.add_eos) w.set_bool("tokenizer.ggml.add_eos_token", *v.add_eos);
  if (v.add_space_prefix) w.set_bool("tokenizer.ggml.add_space_prefix", *v.add_space_prefix);
}

}  // namespace slm
