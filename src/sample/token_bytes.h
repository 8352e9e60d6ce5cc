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

  // The trie of token bytes flattened in depth-first order, so a mask computation sweeps it
  // front to back: a node's subtree is the nodes up to subtree_end, and a rejected byte skips it.
  struct TrieNode {
    uint8_t byte;
    uint16_t depth;        // 1 for the first byte of a token
    int32_t subtree_end;   // index one past the last node of this subtree
    int32_t tokens_begin, tokens_end;  // into trie_tokens(): tokens whose bytes end here
  };
  const std::vector<TrieNode>& trie() const { return trie_; }
  const std::vector<int32_t>& trie_tokens() const { return trie_tokens_; }
  size_t max_depth() const { return max_depth_; }

 private:
  void build_trie();
  std::vector<std::string> bytes_;
  std::vector<TrieNode> trie_;
  std::vector<int32_t> trie_tokens_;
  size_t max_depth_ = 0;
};

}  // namespace slm
