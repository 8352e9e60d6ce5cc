#pragma once
// Added tokens (special or not) that are cut out of the text before the model sees it.
// Matching is leftmost-longest, as Hugging Face's AddedVocabulary does.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace slm {

class Normalizer;

struct AddedToken {
  std::string content;
  int32_t id = -1;
  bool special = false;
  bool lstrip = false;
  bool rstrip = false;
  bool single_word = false;
  bool normalized = false;
};

// One piece of the input: either an added token (id >= 0) or text for the normal pipeline.
struct Segment {
  std::string_view text;
  int32_t id = -1;
  size_t offset = 0;  // byte offset of `text` in the string it was cut from
};

class AddedTokenMatcher {
 public:
  void add(const std::string& content, size_t index);
  // Splits `text` into token and plain segments. `tokens` gives the flags of each index.
  void split(std::string_view text, const std::vector<AddedToken>& tokens, std::vector<Segment>& out) const;
  bool empty() const { return nodes_.size() <= 1; }

 private:
  struct Node {
    int32_t token = -1;  // index into the token list when a token ends here
  };
  int32_t child(int32_t node, unsigned char c) const {
    auto it = edges_.find((static_cast<uint64_t>(node) << 8) | c);
    return it == edges_.end() ? -1 : it->second;
  }
  std::vector<Node> nodes_{Node{}};
  std::unordered_map<uint64_t, int32_t> edges_;
  bool first_byte_[256] = {};
};

}  // namespace slm
