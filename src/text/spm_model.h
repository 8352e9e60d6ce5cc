#pragma once
// SentencePiece-style BPE driven by piece scores (GGUF "llama" vocabularies), as llama.cpp
// tokenizes them: repeatedly merge the adjacent pair whose concatenation is the highest-scoring
// piece (leftmost on ties); characters left without a piece become <0xNN> byte tokens.
#include <vector>

#include "text/model.h"
#include "text/piece_index.h"
#include "text/piece_table.h"

namespace slm {

class SpmModel : public Model {
 public:
  SpmModel(PieceTable pieces, std::vector<float> scores, int32_t unk_id);

  void tokenize(std::string_view word, std::vector<int32_t>& out) const override;
  int32_t token_id(std::string_view piece) const override;
  std::string_view token_piece(int32_t id) const override;
  size_t vocab_size() const override { return pieces_.size(); }

 private:
  int32_t byte_token(unsigned char b) const;

  PieceTable pieces_;
  std::vector<float> scores_;
  PieceIndex ids_;  // over pieces_
  int32_t unk_id_;
  int32_t byte_ids_[256];
};

}  // namespace slm
