#include "text/piece_table.h"

#include <limits>

#include "slm/error.h"

namespace slm {

void PieceTable::reserve(size_t count, size_t bytes) {
  ends_.reserve(count);
  bytes_.reserve(bytes);
}

void PieceTable::push_back(std::string_view piece) {
  // Offsets are 32-bit to keep them at 4 bytes a piece; real vocabularies hold a few MiB.
  if (piece.size() > std::numeric_limits<uint32_t>::max() - bytes_.size())
    throw Error("vocabulary: pieces exceed 4 GiB in all");
  bytes_.append(piece);
  ends_.push_back(static_cast<uint32_t>(bytes_.size()));
}

void PieceTable::shrink_to_fit() {
  bytes_.shrink_to_fit();
  ends_.shrink_to_fit();
}

}  // namespace slm
