#include "sample/token_bytes.h"

#include <algorithm>
#include <map>

#include "text/tokenizer.h"

namespace slm {

namespace {

// GPT-2 byte-level BPE spells each byte as one code point; this inverts that table.
std::map<uint32_t, uint8_t> byte_level_alphabet() {
  std::map<uint32_t, uint8_t> m;
  int n = 0;
  for (int b = 0; b < 256; ++b) {
    bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    m[printable ? b : 256 + n++] = static_cast<uint8_t>(b);
  }
  return m;
}

// Code points of a UTF-8 string (no validation beyond what the tokenizer guarantees).
std::vector<uint32_t> code_points(const std::string& s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    uint32_t cp = len == 1 ? c : c & (0x3F >> (len - 1));
    for (int k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    out.push_back(cp);
    i += len;
  }
  return out;
}

bool is_hex_byte_piece(const std::string& p) {
  return p.size() == 6 && p.rfind("<0x", 0) == 0 && p[5] == '>' && std::isxdigit(static_cast<unsigned char>(p[3])) &&
         std::isxdigit(static_cast<unsigned char>(p[4]));
}

}  // namespace

TokenBytes::TokenBytes(const Tokenizer& tok, const std::vector<std::string>& kept_specials) {
  static const auto alphabet = byte_level_alphabet();
  static const std::string kReplacement = "\xEF\xBF\xBD";
  const size_t n = tok.vocab_size();
  bytes_.resize(n);
  // Decode each token after a fixed context so SentencePiece keeps its leading space.
  std::vector<int32_t> context = tok.encode_ignoring_specials("a", false);
  for (size_t id = 0; id < n; ++id) {
    const int32_t t = static_cast<int32_t>(id);
    const std::string piece = tok.token_piece(t);
    if (tok.is_special(t)) {
      if (std::find(kept_specials.begin(), kept_specials.end(), piece) != kept_specials.end()) bytes_[id] = piece;
      continue;
    }
    if (is_hex_byte_piece(piece)) {
      bytes_[id] = std::string(1, static_cast<char>(std::stoi(piece.substr(3, 2), nullptr, 16)));
      continue;
    }
    const int32_t one[1] = {t};
    std::string text = decode_continuation(tok, context, one, true);
    if (text.find(kReplacement) == std::string::npos || piece.find(kReplacement) != std::string::npos) {
      bytes_[id] = text;
      continue;
    }
    // A partial UTF-8 sequence of a byte-level vocabulary: map the piece back to its bytes.
    std::string raw;
    bool ok = true;
    for (uint32_t cp : code_points(piece)) {
      auto it = alphabet.find(cp);
      if (it == alphabet.end()) {
        ok = false;
        break;
      }
      raw += static_cast<char>(it->second);
    }
    if (ok) bytes_[id] = raw;
  }
  build_trie();
}

TokenBytes::TokenBytes(std::vector<std::string> bytes) : bytes_(std::move(bytes)) { build_trie(); }

void TokenBytes::build_trie() {
  // Sorting the tokens by their bytes lists the trie in depth-first order: each token's path
  // shares its first `common` bytes with the previous token's.
  std::vector<int32_t> order;
  for (size_t id = 0; id < bytes_.size(); ++id)
    if (!bytes_[id].empty()) order.push_back(static_cast<int32_t>(id));
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return bytes_[a] < bytes_[b] || (bytes_[a] == bytes_[b] && a < b); });
  trie_.clear();
  trie_tokens_.clear();
  std::vector<int32_t> path;  // node index at each depth along the previous token's bytes
  const std::string* previous = nullptr;
  for (int32_t id : order) {
    const std::string& b = bytes_[id];
    size_t common = 0;
    if (previous)
      while (common < previous->size() && common < b.size() && (*previous)[common] == b[common]) ++common;
    // Close the nodes below the shared prefix.
    for (size_t d = common; d < path.size(); ++d) trie_[path[d]].subtree_end = static_cast<int32_t>(trie_.size());
    path.resize(common);
    for (size_t d = common; d < b.size(); ++d) {
      path.push_back(static_cast<int32_t>(trie_.size()));
      trie_.push_back(TrieNode{static_cast<uint8_t>(b[d]), static_cast<uint16_t>(d + 1), 0, 0, 0});
    }
    // Tokens are added in order, so the ones ending at a node are contiguous.
    TrieNode& end = trie_[path.back()];
    if (end.tokens_begin == end.tokens_end) end.tokens_begin = static_cast<int32_t>(trie_tokens_.size());
    trie_tokens_.push_back(id);
    end.tokens_end = static_cast<int32_t>(trie_tokens_.size());
    max_depth_ = std::max(max_depth_, b.size());
    previous = &b;
  }
  for (int32_t node : path) trie_[node].subtree_end = static_cast<int32_t>(trie_.size());
}

}  // namespace slm
