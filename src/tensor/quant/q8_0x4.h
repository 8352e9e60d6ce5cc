#pragma once
// Q8_0x4: Q8_0 rows interleaved four at a time, the in-memory layout decode reads fastest.
//
// A decoded token reads every weight once, so generation runs at the speed memory streams.
// Four plain Q8_0 rows are four streams per thread, and the kernel must gather each block's
// scale and codes from 34-byte records; interleaved, a group of four rows is one stream whose
// loads line up with the lanes that consume them (about half the instructions per byte, so
// more of the stream is in flight).
//
// Layout of a group (rows 4g..4g+3, n values each; n a multiple of 256): n/256 spans, each
// 1088 bytes = the same bytes as the four rows' eight blocks:
//   uint16 d[8][4]             fp16 scale of block j, row r
//   uint8  u[8][2][4][16]      block j, half h, row r: codes 16h..16h+15, stored as q + 128
// The codes are stored offset to unsigned so they feed vpdpbusd without a sign fix-up.
// Only the process's own resident copy is ever rewritten this way; files keep plain Q8_0.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace slm::quant {

constexpr int64_t kQ8x4SpanValues = 256;
constexpr size_t kQ8x4SpanBytes = 1088;
constexpr size_t kQ8x4ScaleBytes = 64;  // the d[8][4] head of a span

// Within a span: the scale of block j (0..7), row r; the 16 codes of half h of block j, row r.
constexpr size_t q8x4_scale_offset(int j, int r) { return 8 * j + 2 * r; }
constexpr size_t q8x4_code_offset(int j, int h, int r) { return kQ8x4ScaleBytes + 128 * j + 64 * h + 16 * r; }

// A [rows, cols] Q8_0 matrix can be interleaved when its rows group by four and its rows
// split into whole spans.
bool q8_0x4_fits(const std::vector<int64_t>& shape);

// Four plain Q8_0 rows (row r at rows + r * row_bytes) into one group; n values per row.
void interleave_q8_0x4(const uint8_t* rows, size_t row_bytes, int64_t n, uint8_t* group);
// n_groups consecutive groups of four plain Q8_0 rows (n values each), interleaved in place.
void interleave_q8_0x4_in_place(uint8_t* rows, int64_t n_groups, int64_t n);
// Row r (0..3) of a group back to plain Q8_0 blocks.
void deinterleave_q8_0x4_row(const uint8_t* group, int r, int64_t n, uint8_t* row);
// Values [k0, k0 + len) of row r of a group as f32 (d * q, as dequantize_row_q8_0 computes them);
// k0 and len multiples of 32.
void dequantize_q8_0x4_row(const uint8_t* group, int r, int64_t k0, int64_t len, float* dst);

}  // namespace slm::quant
