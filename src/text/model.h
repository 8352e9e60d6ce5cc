#pragma once
// The word -> ids part of a tokenizer ("model" in tokenizer.json), plus its vocabulary.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace slm {

// String-keyed map that can be probed with a string_view without allocating.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using TokenMap = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

class Model {
 public:
  virtual ~Model() = default;
  // Appends the ids of one pre-tokenized word.
  virtual void tokenize(std::string_view word, std::vector<int32_t>& out) const = 0;
  virtual int32_t token_id(std::string_view piece) const = 0;  // -1 when absent
  // A view into the model's vocabulary; empty when absent (out of range, or a gap in the ids:
  // an empty piece is never a token of its own).
  virtual std::string_view token_piece(int32_t id) const = 0;
  virtual size_t vocab_size() const = 0;
};

}  // namespace slm
