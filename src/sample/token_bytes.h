#pragma once
// The bytes each token adds to the decoded text, computed once per tokenizer, arranged in a
// trie so that tokens sharing a prefix share the grammar work of matching it.
#include <cstdint>
#include <string>
#include <vector>

namespace slm {

class Tokenizer;

class TokenBytes {
 public:
  // Tokens that add no bytes (special tokens, which output skips) are never allowed by a mask;
  // special tokens listed in `kept_specials` (tool-call or thinking markers the output keeps)
  // count as their text.
  explicit TokenBytes(const Tokenizer& tok, const std::vector<std::string>& kept_specials = {});
  // From explicit byte strings (tests).
  explicit TokenBytes(std::vector<std::string> bytes);

  size_t size() const { return bytes_.size(); }
  const std::string& bytes(int32_t id) const { return bytes_[id]; }

  struct TrieNode {
    std::vector<std::pair<uint8_t, int32_t>> children;  // byte -> node index
    std::vector<int32_t> tokens;                         // tokens whose bytes end here
  };
  const std::vector<TrieNode>& trie() const { return trie_; }

 private:
  void build_trie();
  std::vector<std::string> bytes_;
  std::vector<TrieNode> trie_;  // [0] = root
};

}  // namespace slm
