#pragma once
// Text <-> token ids, with exact Hugging Face `tokenizers` parity.
// Built from a tokenizer.json (+ tokenizer_config.json) or from a GGUF vocabulary.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "text/gguf_vocab.h"

namespace slm {

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // tokenizer.json, with tokenizer_config.json read from the same directory when present
  // (add_bos_token / add_eos_token / bos_token / eos_token / chat_template live there).
  static std::unique_ptr<Tokenizer> from_hf_dir(const std::string& dir);
  static std::unique_ptr<Tokenizer> from_json_files(const std::string& tokenizer_json,
                                                    const std::string& tokenizer_config_json /*may be ""*/);
  // The vocabulary embedded in a GGUF file (taken by value: pass a temporary to spare a copy).
  static std::unique_ptr<Tokenizer> from_gguf_vocab(GgufVocab vocab);

  // add_special: BOS/EOS and post-processor templates as Hugging Face `add_special_tokens`.
  virtual std::vector<int32_t> encode(std::string_view text, bool add_special = true) const = 0;
  // As encode(), but special tokens spelled out in `text` are tokenized as ordinary text (Hugging
  // Face `split_special_tokens=True`), for untrusted input. Non-special added tokens still match.
  virtual std::vector<int32_t> encode_ignoring_specials(std::string_view text, bool add_special = true) const;
  virtual std::string decode(std::span<const int32_t> ids, bool skip_special = false) const = 0;

  virtual size_t vocab_size() const = 0;
  // The vocabulary string of one id ("Ġthe", "▁the", "<|im_end|>"); "" for ids out of range.
  virtual std::string token_piece(int32_t id) const = 0;
  // -1 when the token is not in the vocabulary.
  virtual int32_t token_id(std::string_view piece) const = 0;
  virtual bool is_special(int32_t id) const = 0;

  virtual std::optional<int32_t> bos_id() const = 0;
  virtual std::optional<int32_t> eos_id() const = 0;
  virtual bool adds_bos() const = 0;
};

// Streaming detokenizer: feed ids one at a time; each call returns the newly completed text,
// never a broken UTF-8 sequence; the concatenation equals tokenizer.decode(all ids).
// Only a short window of recent ids is re-decoded per call, so a stream costs linear time.
class IncrementalDecoder {
 public:
  explicit IncrementalDecoder(const Tokenizer& tok, bool skip_special = false);
  // Continues after `context` (e.g. the prompt) without emitting it, so the first piece decodes as
  // it would inside the whole text (SentencePiece strips the leading space only at the start).
  void prime(std::span<const int32_t> context);
  std::string push(int32_t id);
  std::string flush();  // whatever is still held back at the end of the stream
 private:
  const Tokenizer& tok_;
  bool skip_special_;
  std::vector<int32_t> ids_;  // the window: context ids already emitted, then pending ids
  size_t emitted_ = 0;        // bytes of decode(context ids), i.e. of the window already returned
  size_t context_ids_ = 0;    // how many ids at the front of the window are context
  std::string prefix_text_;   // decode(context ids)
};

// The text `generated` adds after `context`: decode(context + generated) minus decode(context).
std::string decode_continuation(const Tokenizer& tok, std::span<const int32_t> context,
                                std::span<const int32_t> generated, bool skip_special = true);

}  // namespace slm
