#include "tensor/quant/q8_0x4.h"

#include <cstring>

#include "base/half.h"
#include "tensor/quant/blocks.h"

namespace slm::quant {

namespace {

// Offsets of block j (0..7) of a span: its four scales and the codes of half h, row r.
size_t scale_offset(int j, int r) { return 8 * j + 2 * r; }
size_t code_offset(int j, int h, int r) { return kQ8x4ScaleBytes + 128 * j + 64 * h + 16 * r; }

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
        std::memcpy(span + scale_offset(j, r), &b[j].d, 2);
        for (int h = 0; h < 2; ++h) copy_flipped16(b[j].qs + 16 * h, span + code_offset(j, h, r));
      }
    }
  }
}

void deinterleave_q8_0x4_row(const uint8_t* group, int r, int64_t n, uint8_t* row) {
  auto* b = reinterpret_cast<BlockQ8_0*>(row);
  for (int64_t s = 0; s < n / kQ8x4SpanValues; ++s) {
    const uint8_t* span = group + s * kQ8x4SpanBytes;
    for (int j = 0; j < 8; ++j, ++b) {
      std::memcpy(&b->d, span + scale_offset(j, r), 2);
      for (int h = 0; h < 2; ++h) copy_flipped16(span + code_offset(j, h, r), b->qs + 16 * h);
    }
  }
}

void dequantize_q8_0x4_row(const uint8_t* group, int r, int64_t k0, int64_t len, float* dst) {
  for (int64_t k = k0; k < k0 + len; k += kQK, dst += kQK) {
    const uint8_t* span = group + k / kQ8x4SpanValues * kQ8x4SpanBytes;
    const int j = static_cast<int>(k % kQ8x4SpanValues / kQK);
    uint16_t dh;
    std::memcpy(&dh, span + scale_offset(j, r), 2);
    const float d = f16_to_f32(dh);
    for (int h = 0; h < 2; ++h)
      for (int i = 0; i < 16; ++i)
        dst[16 * h + i] = d * static_cast<float>(static_cast<int>(span[code_offset(j, h, r) + i]) - 128);
  }
}

}  // namespace slm::quant
