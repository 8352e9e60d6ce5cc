// PieceTable (the vocabulary's id -> piece storage) and the PieceIndex built over it.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "text/piece_index.h"
#include "text/piece_table.h"

namespace slm {
namespace {

using namespace std::string_literals;

void expect_same(const PieceTable& t, const std::vector<std::string>& pieces) {
  ASSERT_EQ(t.size(), pieces.size());
  size_t bytes = 0;
  for (size_t id = 0; id < pieces.size(); ++id) {
    EXPECT_EQ(t[id], pieces[id]) << "id " << id;
    bytes += pieces[id].size();
  }
  EXPECT_EQ(t.total_bytes(), bytes);
}

TEST(TokPieceTable, EmptyTable) {
  PieceTable t;
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.total_bytes(), 0u);
  PieceIndex index;
  index.build(t);
  EXPECT_EQ(index.find("a"), -1);
}

TEST(TokPieceTable, RoundTripWithEmptyPiecesAndNuls) {
  const std::vector<std::string> pieces = {
      "",          "a", "\0"s,  "",   "x\0y"s, "\0\0\0"s, "\xE2\x96\x81the", "<0x00>", "",
      std::string(300, 'z'),  // longer than any short-string buffer
      "\xFF\xFE", ""};
  expect_same(PieceTable::from(pieces), pieces);

  // Piece by piece, with and without a reservation, then shrunk: the same pieces.
  PieceTable grown, reserved;
  reserved.reserve(pieces.size(), 1000);
  for (const auto& p : pieces) grown.push_back(p), reserved.push_back(p);
  grown.shrink_to_fit();
  reserved.shrink_to_fit();
  expect_same(grown, pieces);
  expect_same(reserved, pieces);
}

TEST(TokPieceTable, FromStringViews) {
  const std::string a = "hello", b = "w\0rld"s;
  const std::vector<std::string_view> views = {a, {}, b};
  const PieceTable t = PieceTable::from(views);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0], "hello");
  EXPECT_EQ(t[1], "");
  EXPECT_EQ(t[2], "w\0rld"s);
  EXPECT_EQ(t[2].size(), 5u);
}

TEST(TokPieceTable, LargeVocabularyAndIndex) {
  // A 200k-piece vocabulary of random bytes (NULs included), with duplicates and empty pieces.
  std::mt19937 rng(7);
  std::vector<std::string> pieces(200000);
  for (size_t id = 0; id < pieces.size(); ++id) {
    if (id % 997 == 0) continue;  // empty
    if (id % 1009 == 0) {
      pieces[id] = pieces[id / 2];  // a duplicate of an earlier piece
      continue;
    }
    const size_t len = 1 + rng() % 24;
    pieces[id] = std::to_string(id) + ":";
    for (size_t i = 0; i < len; ++i) pieces[id] += static_cast<char>(rng() & 0xFF);
  }
  const PieceTable t = PieceTable::from(pieces);
  expect_same(t, pieces);

  PieceIndex index;
  index.build(t);
  for (size_t id = 0; id < pieces.size(); ++id) {
    const int32_t found = index.find(pieces[id]);
    ASSERT_GE(found, 0) << "id " << id;
    // The first of duplicate pieces wins.
    EXPECT_LE(static_cast<size_t>(found), id);
    EXPECT_EQ(t[found], pieces[id]);
  }
  EXPECT_EQ(index.find("not:a piece"), -1);
  EXPECT_EQ(index.find("0:"), -1);  // a prefix of a piece
}

}  // namespace
}  // namespace slm
