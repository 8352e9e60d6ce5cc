#pragma once
// Block layouts of GGUF's quantized types, byte for byte as ggml stores them (little-endian,
// fp16 scales as raw uint16), plus the int8 blocks activations are quantized to for the dot kernels.
#include <cstdint>

namespace slm::quant {

constexpr int kQK = 32;    // elements per block of the 32-element types
constexpr int kQK_K = 256; // elements per super-block of the K-quants

// x = d * (q - 8), q a nibble. Byte j holds element j (low nibble) and j + 16 (high nibble).
struct BlockQ4_0 {
  uint16_t d;
  uint8_t qs[kQK / 2];
};
// x = d * q + m
struct BlockQ4_1 {
  uint16_t d, m;
  uint8_t qs[kQK / 2];
};
// x = d * (q - 16), q = nibble | (bit j of qh) << 4
struct BlockQ5_0 {
  uint16_t d;
  uint8_t qh[4];
  uint8_t qs[kQK / 2];
};
// x = d * q + m, q as in Q5_0
struct BlockQ5_1 {
  uint16_t d, m;
  uint8_t qh[4];
  uint8_t qs[kQK / 2];
};
// x = d * q
struct BlockQ8_0 {
  uint16_t d;
  int8_t qs[kQK];
};

// 16 groups of 16: x = d * (scales & 15) * q - dmin * (scales >> 4), q two bits.
struct BlockQ2_K {
  uint8_t scales[kQK_K / 16];
  uint8_t qs[kQK_K / 4];
  uint16_t d, dmin;
};
// 16 groups of 16 with 6-bit signed scales (offset 32): x = d * s * (q - 4 * !hbit), q two bits.
struct BlockQ3_K {
  uint8_t hmask[kQK_K / 8];
  uint8_t qs[kQK_K / 4];
  uint8_t scales[12];
  uint16_t d;
};
// 8 groups of 32 with 6-bit scale and min: x = d * sc * q - dmin * m, q a nibble.
struct BlockQ4_K {
  uint16_t d, dmin;
  uint8_t scales[12];
  uint8_t qs[kQK_K / 2];
};
// As Q4_K with a fifth bit per element in qh.
struct BlockQ5_K {
  uint16_t d, dmin;
  uint8_t scales[12];
  uint8_t qh[kQK_K / 8];
  uint8_t qs[kQK_K / 2];
};
// 16 groups of 16 with int8 scales: x = d * sc * (q - 32), q six bits (4 in ql, 2 in qh).
struct BlockQ6_K {
  uint8_t ql[kQK_K / 2];
  uint8_t qh[kQK_K / 4];
  int8_t scales[kQK_K / 16];
  uint16_t d;
};

static_assert(sizeof(BlockQ4_0) == 18 && sizeof(BlockQ4_1) == 20 && sizeof(BlockQ5_0) == 22 &&
              sizeof(BlockQ5_1) == 24 && sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ2_K) == 84 && sizeof(BlockQ3_K) == 110 && sizeof(BlockQ4_K) == 144 &&
              sizeof(BlockQ5_K) == 176 && sizeof(BlockQ6_K) == 210);

// Activations, quantized per matmul call (never stored in files). Values lie in [-127, 127] so
// that unsigned x signed byte products summed in pairs cannot saturate int16.
struct ActBlock32 {
  float d;
  int32_t sum;  // sum of qs: lets offset/min terms of the weight formats be applied once per block
  int8_t qs[kQK];
};
struct ActBlock256 {
  float d;
  int8_t qs[kQK_K];
  int16_t sums[kQK_K / 16];  // sums of each 16 consecutive qs
};

// The 6-bit scale and min of group j (0..7) of a Q4_K/Q5_K super-block's packed 12 bytes.
inline void k4_scale_min(int j, const uint8_t* s, uint8_t& scale, uint8_t& min) {
  if (j < 4) {
    scale = s[j] & 63;
    min = s[j + 4] & 63;
  } else {
    scale = (s[j + 4] & 15) | ((s[j - 4] >> 6) << 4);
    min = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
  }
}

// All eight scales and mins of a Q4_K/Q5_K super-block at once (four groups per 32-bit word).
inline void k4_scales_mins(const uint8_t* s, uint8_t* scales, uint8_t* mins) {
  uint32_t w0, w1, w2;
  __builtin_memcpy(&w0, s, 4);
  __builtin_memcpy(&w1, s + 4, 4);
  __builtin_memcpy(&w2, s + 8, 4);
  const uint32_t sc_lo = w0 & 0x3f3f3f3f, mn_lo = w1 & 0x3f3f3f3f;
  const uint32_t sc_hi = (w2 & 0x0f0f0f0f) | ((w0 >> 6) & 0x03030303) << 4;
  const uint32_t mn_hi = ((w2 >> 4) & 0x0f0f0f0f) | ((w1 >> 6) & 0x03030303) << 4;
  __builtin_memcpy(scales, &sc_lo, 4);
  __builtin_memcpy(scales + 4, &sc_hi, 4);
  __builtin_memcpy(mins, &mn_lo, 4);
  __builtin_memcpy(mins + 4, &mn_hi, 4);
}

// The signed 6-bit scale of group i (0..15) of a Q3_K super-block.
inline int q3k_scale(int i, const uint8_t* s) {
  const int low = i < 8 ? s[i] & 15 : s[i - 8] >> 4;
  const int high = (s[8 + i % 4] >> (2 * (i / 4))) & 3;
  return (low | high << 4) - 32;
}

}  // namespace slm::quant
