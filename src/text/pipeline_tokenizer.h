#pragma once
// The Tokenizer implementation shared by the tokenizer.json and GGUF loaders:
// added tokens -> normalizer -> pre-tokenizer -> model -> post-processor, and decoders back.
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "text/added_tokens.h"
#include "text/decoders.h"
#include "text/model.h"
#include "text/normalizers.h"
#include "text/post_processor.h"
#include "text/pre_tokenizers.h"
#include "text/tokenizer.h"

namespace slm {

struct TokenizerParts {
  std::unique_ptr<Model> model;                   // required
  std::unique_ptr<Normalizer> normalizer;         // optional
  std::unique_ptr<PreTokenizer> pre_tokenizer;    // optional
  std::unique_ptr<PostProcessor> post_processor;  // optional
  std::unique_ptr<Decoder> decoder;               // optional: pieces joined by spaces
  std::vector<AddedToken> added_tokens;
  std::optional<int32_t> bos_id, eos_id;
};

class PipelineTokenizer : public Tokenizer {
 public:
  explicit PipelineTokenizer(TokenizerParts parts);

  std::vector<int32_t> encode(std::string_view text, bool add_special = true) const override;
  std::vector<int32_t> encode_ignoring_specials(std::string_view text, bool add_special = true) const override;
  std::string decode(std::span<const int32_t> ids, bool skip_special = false) const override;
  size_t vocab_size() const override { return vocab_size_; }
  std::string token_piece(int32_t id) const override;
  int32_t token_id(std::string_view piece) const override;
  bool is_special(int32_t id) const override;
  std::optional<int32_t> bos_id() const override { return p_.bos_id; }
  std::optional<int32_t> eos_id() const override { return p_.eos_id; }
  bool adds_bos() const override;

 private:
  struct Matchers {
    AddedTokenMatcher raw;         // added tokens matched on the input text
    AddedTokenMatcher normalized;  // added tokens matched after normalization
  };
  std::vector<int32_t> encode_with(const Matchers& m, std::string_view text, bool add_special) const;
  void encode_plain(std::string_view text, bool at_start, std::vector<int32_t>& out) const;
  std::optional<std::string_view> piece_of(int32_t id) const;  // nullopt: unknown id

  TokenizerParts p_;
  Matchers all_;           // every added token
  Matchers non_special_;   // only the non-special ones
  std::unordered_map<int32_t, size_t> added_by_id_;
  TokenMap added_by_content_;
  size_t vocab_size_ = 0;
};

}  // namespace slm
