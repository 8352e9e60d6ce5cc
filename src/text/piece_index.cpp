#include "text/piece_index.h"

#include <functional>

namespace slm {

size_t PieceIndex::slot(std::string_view piece) const { return std::hash<std::string_view>{}(piece) & mask_; }

void PieceIndex::build(const PieceTable& pieces) {
  pieces_ = &pieces;
  size_t cap = 16;
  while (cap < pieces.size() * 2) cap <<= 1;  // at most half full: short probe runs
  slots_.assign(cap, -1);
  mask_ = cap - 1;
  for (size_t id = 0; id < pieces.size(); ++id) {
    const std::string_view p = pieces[id];
    for (size_t i = slot(p);; i = (i + 1) & mask_) {
      if (slots_[i] < 0) {
        slots_[i] = static_cast<int32_t>(id);
        break;
      }
      if (pieces[slots_[i]] == p) break;  // a duplicate: the first id stays
    }
  }
}

int32_t PieceIndex::find(std::string_view piece) const {
  if (slots_.empty()) return -1;
  for (size_t i = slot(piece);; i = (i + 1) & mask_) {
    const int32_t id = slots_[i];
    if (id < 0) return -1;
    if ((*pieces_)[id] == piece) return id;
  }
}

}  // namespace slm
