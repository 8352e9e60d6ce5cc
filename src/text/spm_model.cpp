#include "text/spm_model.h"

#include <algorithm>
#include <cstdio>

#include "text/unicode.h"

namespace slm {

SpmModel::SpmModel(PieceTable pieces, std::vector<float> scores, int32_t unk_id)
    : pieces_(std::move(pieces)), scores_(std::move(scores)), unk_id_(unk_id) {
  pieces_.shrink_to_fit();  // a table built by growth gives back its slack
  scores_.resize(pieces_.size(), 0.0f);
  ids_.build(pieces_);
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    int32_t id = token_id(name);
    if (id < 0) id = token_id(std::string(1, static_cast<char>(b)));
    byte_ids_[b] = id;
  }
}

int32_t SpmModel::token_id(std::string_view piece) const {
  return ids_.find(piece);
}

std::string_view SpmModel::token_piece(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= pieces_.size()) return {};
  return pieces_[id];
}

int32_t SpmModel::byte_token(unsigned char b) const { return byte_ids_[b] >= 0 ? byte_ids_[b] : unk_id_; }

void SpmModel::tokenize(std::string_view word, std::vector<int32_t>& out) const {
  struct Sym {
    size_t start, len;
    int32_t prev, next;
  };
  struct Bigram {
    float score;
    int32_t left, right;
    size_t len;
  };
  // Highest score first, then leftmost.
  auto worse = [](const Bigram& a, const Bigram& b) { return a.score != b.score ? a.score < b.score : a.left > b.left; };
  std::vector<Sym> syms;
  for (size_t i = 0; i < word.size();) {
    size_t n = std::min(unicode::utf8_len(static_cast<unsigned char>(word[i])), word.size() - i);
    int32_t idx = static_cast<int32_t>(syms.size());
    syms.push_back(Sym{i, n, idx - 1, -1});
    if (idx > 0) syms[idx - 1].next = idx;
    i += n;
  }
  std::vector<Bigram> heap;
  auto try_add = [&](int32_t l, int32_t r) {
    if (l < 0 || r < 0) return;
    size_t len = syms[l].len + syms[r].len;
    int32_t id = token_id(word.substr(syms[l].start, len));
    if (id < 0) return;
    heap.push_back(Bigram{scores_[id], l, r, len});
    std::push_heap(heap.begin(), heap.end(), worse);
  };
  for (size_t i = 1; i < syms.size(); ++i) try_add(static_cast<int32_t>(i - 1), static_cast<int32_t>(i));
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), worse);
    Bigram b = heap.back();
    heap.pop_back();
    Sym& l = syms[b.left];
    Sym& r = syms[b.right];
    // Stale entry: one side was merged away or changed since it was queued.
    if (l.len == 0 || r.len == 0 || l.len + r.len != b.len || l.next != b.right) continue;
    l.len += r.len;
    r.len = 0;
    l.next = r.next;
    if (r.next >= 0) syms[r.next].prev = b.left;
    try_add(l.prev, b.left);
    try_add(b.left, l.next);
  }
  for (int32_t i = syms.empty() ? -1 : 0; i >= 0; i = syms[i].next) {
    std::string_view text = word.substr(syms[i].start, syms[i].len);
    int32_t id = token_id(text);
    if (id >= 0) {
      out.push_back(id);
      continue;
    }
    for (char c : text) out.push_back(byte_token(static_cast<unsigned char>(c)));
  }
}

}  // namespace slm
