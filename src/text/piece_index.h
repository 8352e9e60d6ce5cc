#pragma once
// Piece -> id lookup over a vocabulary that another object owns (id -> piece). Open addressing
// over the ids alone: 4 bytes a slot instead of a hash node holding a second copy of every piece
// (about 2 MiB rather than 11 MiB for a 150k-token vocabulary).
#include <cstdint>
#include <string_view>
#include <vector>

#include "text/piece_table.h"

namespace slm {

class PieceIndex {
 public:
  // Indexes every piece of `pieces`, which must outlive the index unchanged; the first of
  // duplicate pieces wins.
  void build(const PieceTable& pieces);
  int32_t find(std::string_view piece) const;  // -1 when absent

 private:
  size_t slot(std::string_view piece) const;
  const PieceTable* pieces_ = nullptr;
  std::vector<int32_t> slots_;  // id, or -1 when empty
  size_t mask_ = 0;
};

}  // namespace slm
