#pragma once
// A tokenizer vocabulary (id -> piece) in one byte buffer plus one offset per piece. A
// std::vector<std::string> costs 32 bytes a piece and a heap block for every piece over 15
// bytes (about 4.6 MiB for 151k tokens); this costs the bytes themselves and 4 bytes a piece
// (about 1.6 MiB).
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace slm {

class PieceTable {
 public:
  PieceTable() = default;
  PieceTable(std::initializer_list<std::string_view> pieces) : PieceTable(from(pieces)) {}

  // A table of `pieces` (any range of things convertible to std::string_view), sized exactly.
  template <typename Range>
  static PieceTable from(const Range& pieces) {
    PieceTable t;
    size_t bytes = 0;
    for (const auto& p : pieces) bytes += std::string_view(p).size();
    t.reserve(std::size(pieces), bytes);
    for (const auto& p : pieces) t.push_back(p);
    return t;
  }

  // Room for `count` pieces of `bytes` bytes in all: no regrowth while they are added.
  void reserve(size_t count, size_t bytes);
  // Appends the piece of the next id. Any bytes, NULs included; throws slm::Error past 4 GiB.
  void push_back(std::string_view piece);
  // Gives back capacity that reserve() or growth left unused.
  void shrink_to_fit();

  size_t size() const { return ends_.size(); }
  bool empty() const { return ends_.empty(); }
  size_t total_bytes() const { return bytes_.size(); }
  // The piece of `id` (< size()); valid until the table is modified, moved or destroyed.
  std::string_view operator[](size_t id) const {
    const uint32_t begin = id == 0 ? 0 : ends_[id - 1];
    return std::string_view(bytes_.data() + begin, ends_[id] - begin);
  }

 private:
  std::string bytes_;          // every piece, back to back
  std::vector<uint32_t> ends_;  // ends_[id]: one past the last byte of piece id in bytes_
};

}  // namespace slm
