#include "text/bpe_model.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <queue>

#include "slm/error.h"
#include "text/unicode.h"

namespace slm {

namespace {
constexpr size_t kMaxCachedWordBytes = 64;
constexpr size_t kMaxCacheEntries = 200000;
}  // namespace

void BpeModel::MergeMap::reserve(size_t n) {
  size_t cap = 16;
  while (cap < n + n / 2) cap <<= 1;  // at most two thirds full: probe runs stay short
  keys_.assign(cap, kEmpty);
  vals_.assign(cap, Merge{0, 0});
  mask_ = cap - 1;
  shift_ = 64 - std::countr_zero(cap);
}

bool BpeModel::MergeMap::insert(uint64_t key, Merge m) {
  for (size_t i = slot(key);; i = (i + 1) & mask_) {
    if (keys_[i] == key) return false;
    if (keys_[i] == kEmpty) {
      keys_[i] = key;
      vals_[i] = m;
      return true;
    }
  }
}

BpeModel::BpeModel(PieceTable vocab, std::span<const MergePieces> merges, BpeOptions options,
                   const std::string& context)
    : id_to_piece_(std::move(vocab)), opt_(std::move(options)) {
  id_to_piece_.shrink_to_fit();  // a table built by growth gives back its slack
  piece_to_id_.build(id_to_piece_);

  merges_.reserve(merges.size());
  std::string merged_piece;
  for (size_t r = 0; r < merges.size(); ++r) {
    const auto& [a, b] = merges[r];
    int32_t ia = token_id(a), ib = token_id(b);
    if (ia < 0 || ib < 0)
      throw Error(context + ": merge " + std::to_string(r) + " (\"" + std::string(a) + "\" \"" + std::string(b) +
                  "\") refers to unknown token \"" + std::string(ia < 0 ? a : b) + "\"");
    // The merged piece drops the continuing-subword prefix of the right part.
    std::string_view right = b;
    if (!opt_.continuing_subword_prefix.empty() && right.starts_with(opt_.continuing_subword_prefix))
      right.remove_prefix(opt_.continuing_subword_prefix.size());
    merged_piece.assign(a);
    merged_piece.append(right);
    int32_t merged = token_id(merged_piece);
    if (merged < 0)
      throw Error(context + ": merge " + std::to_string(r) + " (\"" + std::string(a) + "\" \"" + std::string(b) +
                  "\") produces \"" + merged_piece + "\", which is not in the vocabulary");
    merges_.insert(pair_key(ia, ib), Merge{static_cast<int32_t>(r), merged});  // first occurrence wins
  }

  if (opt_.unk_token) {
    unk_id_ = token_id(*opt_.unk_token);
    if (unk_id_ < 0) throw Error(context + ": unk_token \"" + *opt_.unk_token + "\" is not in the vocabulary");
  }
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    byte_ids_[b] = token_id(name);
  }
  if (opt_.continuing_subword_prefix.empty() && opt_.end_of_word_suffix.empty()) {
    small_char_ids_.assign(2048, -1);
    for (char32_t cp = 0; cp < 2048; ++cp) {
      std::string s;
      unicode::append_utf8(s, cp);
      small_char_ids_[cp] = token_id(s);
    }
  }
}

int32_t BpeModel::token_id(std::string_view piece) const {
  return piece.empty() ? -1 : piece_to_id_.find(piece);  // empty pieces are gaps in the ids
}

std::string_view BpeModel::token_piece(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= id_to_piece_.size()) return {};
  return id_to_piece_[id];
}

int32_t BpeModel::single_char_id(std::string_view ch) const {
  if (!small_char_ids_.empty()) {
    unsigned char c = static_cast<unsigned char>(ch[0]);
    if (ch.size() == 1) return small_char_ids_[c];
    if (ch.size() == 2) return small_char_ids_[((c & 0x1F) << 6) | (static_cast<unsigned char>(ch[1]) & 0x3F)];
  }
  return token_id(ch);
}

void BpeModel::initial_symbols(std::string_view word, std::vector<int32_t>& ids) const {
  ids.clear();
  bool affixes = !opt_.continuing_subword_prefix.empty() || !opt_.end_of_word_suffix.empty();
  int32_t pending_unk = -1;  // an unknown run not yet emitted (fuse_unk joins consecutive ones)
  std::string buf;
  for (size_t i = 0; i < word.size();) {
    size_t n = std::min(unicode::utf8_len(static_cast<unsigned char>(word[i])), word.size() - i);
    std::string_view ch = word.substr(i, n);
    bool first = i == 0;
    i += n;
    int32_t id;
    if (affixes) {
      buf.clear();
      if (!first) buf += opt_.continuing_subword_prefix;
      buf += ch;
      if (i >= word.size()) buf += opt_.end_of_word_suffix;
      id = token_id(buf);
    } else {
      id = single_char_id(ch);
    }
    if (id >= 0) {
      if (pending_unk >= 0) ids.push_back(pending_unk), pending_unk = -1;
      ids.push_back(id);
      continue;
    }
    if (opt_.byte_fallback) {
      bool all = true;
      for (char c : ch) all = all && byte_ids_[static_cast<unsigned char>(c)] >= 0;
      if (all) {
        if (pending_unk >= 0) ids.push_back(pending_unk), pending_unk = -1;
        for (char c : ch) ids.push_back(byte_ids_[static_cast<unsigned char>(c)]);
        continue;
      }
    }
    if (unk_id_ >= 0) {
      if (pending_unk >= 0 && !opt_.fuse_unk) ids.push_back(pending_unk);
      pending_unk = unk_id_;
    }
    // Without an unk token the character is dropped, as Hugging Face does.
  }
  if (pending_unk >= 0) ids.push_back(pending_unk);
}

void BpeModel::merge_word(std::vector<int32_t>& ids) const {
  const size_t n = ids.size();
  if (n < 2) return;
  // Doubly linked symbols; the queue holds candidate merges ordered by (rank, position) and is
  // validated lazily when popped.
  struct Sym {
    int32_t id, prev, next;
  };
  struct Cand {
    int32_t rank, pos, new_id;
    bool operator>(const Cand& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  thread_local std::vector<Sym> syms;
  thread_local std::vector<Cand> heap;
  syms.resize(n);
  heap.clear();
  auto push = [&](int32_t pos) {
    int32_t nx = syms[pos].next;
    if (nx < 0) return;
    const Merge* m = merges_.find(pair_key(syms[pos].id, syms[nx].id));
    if (!m) return;
    heap.push_back(Cand{m->rank, pos, m->new_id});
    std::push_heap(heap.begin(), heap.end(), std::greater<>());
  };
  for (size_t i = 0; i < n; ++i)
    syms[i] = Sym{ids[i], static_cast<int32_t>(i) - 1, i + 1 < n ? static_cast<int32_t>(i + 1) : -1};
  for (size_t i = 0; i + 1 < n; ++i) push(static_cast<int32_t>(i));
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), std::greater<>());
    Cand c = heap.back();
    heap.pop_back();
    Sym& s = syms[c.pos];
    if (s.id < 0 || s.next < 0) continue;
    const Merge* m = merges_.find(pair_key(s.id, syms[s.next].id));
    if (!m || m->new_id != c.new_id || m->rank != c.rank) continue;
    int32_t gone = s.next;
    s.id = c.new_id;
    s.next = syms[gone].next;
    if (s.next >= 0) syms[s.next].prev = c.pos;
    syms[gone].id = -1;
    if (s.prev >= 0) push(s.prev);
    push(c.pos);
  }
  ids.clear();
  for (int32_t p = 0; p >= 0; p = syms[p].next) ids.push_back(syms[p].id);
}

void BpeModel::tokenize(std::string_view word, std::vector<int32_t>& out) const {
  if (word.empty()) return;
  if (opt_.ignore_merges) {
    int32_t id = token_id(word);
    if (id >= 0) {
      out.push_back(id);
      return;
    }
  }
  bool cacheable = word.size() <= kMaxCachedWordBytes;
  if (cacheable) {
    std::shared_lock lock(cache_mutex_);
    auto it = cache_.find(word);
    if (it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  thread_local std::vector<int32_t> ids;
  initial_symbols(word, ids);
  merge_word(ids);
  out.insert(out.end(), ids.begin(), ids.end());
  if (cacheable) {
    std::unique_lock lock(cache_mutex_);
    if (cache_.size() < kMaxCacheEntries) cache_.emplace(std::string(word), ids);
  }
}

}  // namespace slm
