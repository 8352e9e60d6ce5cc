#pragma once
// Byte-pair encoding over a vocabulary and a ranked merge list (tokenizer.json "BPE" model).
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "text/model.h"
#include "text/piece_index.h"
#include "text/piece_table.h"

namespace slm {

struct BpeOptions {
  std::optional<std::string> unk_token;
  std::string continuing_subword_prefix;
  std::string end_of_word_suffix;
  bool fuse_unk = false;
  bool byte_fallback = false;
  bool ignore_merges = false;
};

class BpeModel : public Model {
 public:
  // `vocab[i]` is the piece of id i (ids are dense; gaps hold empty pieces that are never matched).
  // `merges` are (left, right) pieces in rank order, read only during construction. Throws
  // slm::Error naming `context` when a merge refers to a piece that is not in the vocabulary.
  using MergePieces = std::pair<std::string_view, std::string_view>;
  BpeModel(PieceTable vocab, std::span<const MergePieces> merges, BpeOptions options,
           const std::string& context);

  void tokenize(std::string_view word, std::vector<int32_t>& out) const override;
  int32_t token_id(std::string_view piece) const override;
  std::string_view token_piece(int32_t id) const override;
  size_t vocab_size() const override { return id_to_piece_.size(); }

 private:
  struct Merge {
    int32_t rank;
    int32_t new_id;
  };
  static uint64_t pair_key(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
  }
  // Open-addressing map from an id pair to its merge: the lookup in the innermost loop.
  class MergeMap {
   public:
    void reserve(size_t n);
    bool insert(uint64_t key, Merge m);  // false when the key is already present
    const Merge* find(uint64_t key) const {
      for (size_t i = slot(key);; i = (i + 1) & mask_) {
        if (keys_[i] == key) return &vals_[i];
        if (keys_[i] == kEmpty) return nullptr;
      }
    }

   private:
    static constexpr uint64_t kEmpty = ~0ull;
    size_t slot(uint64_t key) const { return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_); }
    std::vector<uint64_t> keys_;
    std::vector<Merge> vals_;
    size_t mask_ = 0;
    int shift_ = 64;
  };
  void initial_symbols(std::string_view word, std::vector<int32_t>& ids) const;
  void merge_word(std::vector<int32_t>& ids) const;
  int32_t single_char_id(std::string_view ch) const;

  PieceTable id_to_piece_;
  PieceIndex piece_to_id_;  // over id_to_piece_
  MergeMap merges_;
  BpeOptions opt_;
  int32_t unk_id_ = -1;
  int32_t byte_ids_[256];
  std::vector<int32_t> small_char_ids_;  // code point < 2048 -> id of that single character, or -1

  // Word -> ids cache (short words only); encode() is const and may run on several threads.
  mutable std::shared_mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<int32_t>, StringHash, std::equal_to<>> cache_;
};

}  // namespace slm
