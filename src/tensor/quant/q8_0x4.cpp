#include "tensor/quant/q8_0x4.h"

#include <cstring>

#include "base/half.h"
#include "tensor/quant/blocks.h"

namespace slm::quant {

namespace {

// 16 codes moved between int8 (q) and offset uint8 (q + 128): flipping the sign bit does both.
void copy_flipped16(const void* src, void* dst) {
  constexpr uint64_t kSignBits = 0x8080808080808080ull;
  uint64_t v[2];
  std::memcpy(v, src, 16);
  v[0] ^= kSignBits, v[1] ^= kSignBits;
  std::memcpy(dst, v, 16);
}

}  // namespace

bool q8_0x4_fits(const std::vector<int64_t>& shape) {
  return shape.size() == 2 && shape[0] > 0 && shape[0] % 4 == 0 && shape[1] > 0 && shape[1] % kQ8x4SpanValues == 0;
}

void interleave_q8_0x4(const uint8_t* rows, size_t row_bytes, int64_t n, uint8_t* group) {
  for (int64_t s = 0; s < n / kQ8x4SpanValues; ++s) {
    uint8_t* span = group + s * kQ8x4SpanBytes;
    for (int r = 0; r < 4; ++r) {
      const auto* b = reinterpret_cast<const BlockQ8_0*>(rows + r * row_bytes) + 8 * s;
      for (int j = 0; j < 8; ++j) {
        std::memcpy(span + q8x4_scale_offset(j, r), &b[j].d, 2);
        for (int h = 0; h < 2; ++h) copy_flipped16(b[j].qs + 16 * h, span + q8x4_code_offset(j, h, r));
      }
    }
  }
}

void interleave_q8_0x4_in_place(uint8_t* rows, int64_t n_groups, int64_t n) {
  const size_t row_bytes = n / kQK * sizeof(BlockQ8_0);
  thread_local std::vector<uint8_t> plain;  // a group's four rows, copied out before rewriting
  plain.resize(4 * row_bytes);
  for (int64_t g = 0; g < n_groups; ++g) {
    uint8_t* group = rows + g * 4 * row_bytes;
    std::memcpy(plain.data(), group, plain.size());
    interleave_q8_0x4(plain.data(), row_bytes, n, group);
  }
}

void deinterleave_q8_0x4_row(const uint8_t* group, int r, int64_t n, uint8_t* row) {
  auto* b = reinterpret_cast<BlockQ8_0*>(row);
  for (int64_t s = 0; s < n / kQ8x4SpanValues; ++s) {
    const uint8_t* span = group + s * kQ8x4SpanBytes;
    for (int j = 0; j < 8; ++j, ++b) {
      std::memcpy(&b->d, span + q8x4_scale_offset(j, r), 2);
      for (int h = 0; h < 2; ++h) copy_flipped16(span + q8x4_code_offset(j, h, r), b->qs + 16 * h);
    }
  }
}

void dequantize_q8_0x4_row(const uint8_t* group, int r, int64_t k0, int64_t len, float* dst) {
  for (int64_t k = k0; k < k0 + len; k += kQK, dst += kQK) {
    const uint8_t* span = group + k / kQ8x4SpanValues * kQ8x4SpanBytes;
    const int j = static_cast<int>(k % kQ8x4SpanValues / kQK);
    uint16_t dh;
    std::memcpy(&dh, span + q8x4_scale_offset(j, r), 2);
    const float d = f16_to_f32(dh);
    for (int h = 0; h < 2; ++h)
      for (int i = 0; i < 16; ++i)
        dst[16 * h + i] = d * static_cast<float>(static_cast<int>(span[q8x4_code_offset(j, h, r) + i]) - 128);
  }
}

}  // namespace slm::quant
