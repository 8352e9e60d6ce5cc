// Dequantization of the K-quants (256-value super-blocks with quantized per-group scales).
#include "base/half.h"
#include "tensor/quant/blocks.h"
#include "tensor/quant/quant.h"

namespace slm::quant {

// Q2_K and Q3_K pack four 2-bit codes per byte: each 128-value half reads 32 bytes four times
// (shift 0, 2, 4, 6), the first 16 bytes with one group scale and the next 16 with the next.
void dequantize_row_q2_k(const void* src, float* y, int64_t n) {
  const auto* b = static_cast<const BlockQ2_K*>(src);
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float d = f16_to_f32(b[i].d), dmin = f16_to_f32(b[i].dmin);
    int group = 0;
    for (int half = 0; half < 2; ++half) {
      const uint8_t* q = b[i].qs + 32 * half;
      for (int shift = 0; shift < 8; shift += 2)
        for (int part = 0; part < 2; ++part, ++group) {
          const uint8_t sc = b[i].scales[group];
          const float dl = d * (sc & 15), ml = dmin * (sc >> 4);
          for (int l = 0; l < 16; ++l) *y++ = dl * ((q[16 * part + l] >> shift) & 3) - ml;
        }
    }
  }
}

void dequantize_row_q3_k(const void* src, float* y, int64_t n) {
  const auto* b = static_cast<const BlockQ3_K*>(src);
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float d = f16_to_f32(b[i].d);
    int group = 0, hbit = 0;
    for (int half = 0; half < 2; ++half) {
      const uint8_t* q = b[i].qs + 32 * half;
      for (int shift = 0; shift < 8; shift += 2, ++hbit)
        for (int part = 0; part < 2; ++part, ++group) {
          const float dl = d * q3k_scale(group, b[i].scales);
          for (int l = 0; l < 16; ++l) {
            const int k = 16 * part + l;
            const int high = (b[i].hmask[k] >> hbit) & 1;
            *y++ = dl * (((q[k] >> shift) & 3) - (high ? 0 : 4));
          }
        }
    }
  }
}

// Q4_K / Q5_K: each 64 values read 32 bytes, low nibbles (group 2j) then high nibbles (group 2j+1).
void dequantize_row_q4_k(const void* src, float* y, int64_t n) {
  const auto* b = static_cast<const BlockQ4_K*>(src);
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float d = f16_to_f32(b[i].d), dmin = f16_to_f32(b[i].dmin);
    for (int j = 0; j < 4; ++j) {
      const uint8_t* q = b[i].qs + 32 * j;
      uint8_t sc, m;
      k4_scale_min(2 * j, b[i].scales, sc, m);
      const float d1 = d * sc, m1 = dmin * m;
      k4_scale_min(2 * j + 1, b[i].scales, sc, m);
      const float d2 = d * sc, m2 = dmin * m;
      for (int l = 0; l < 32; ++l) *y++ = d1 * (q[l] & 15) - m1;
      for (int l = 0; l < 32; ++l) *y++ = d2 * (q[l] >> 4) - m2;
    }
  }
}

void dequantize_row_q5_k(const void* src, float* y, int64_t n) {
  const auto* b = static_cast<const BlockQ5_K*>(src);
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float d = f16_to_f32(b[i].d), dmin = f16_to_f32(b[i].dmin);
    for (int j = 0; j < 4; ++j) {
      const uint8_t* q = b[i].qs + 32 * j;
      uint8_t sc, m;
      k4_scale_min(2 * j, b[i].scales, sc, m);
      const float d1 = d * sc, m1 = dmin * m;
      k4_scale_min(2 * j + 1, b[i].scales, sc, m);
      const float d2 = d * sc, m2 = dmin * m;
      for (int l = 0; l < 32; ++l) *y++ = d1 * ((q[l] & 15) | ((b[i].qh[l] >> (2 * j)) & 1) << 4) - m1;
      for (int l = 0; l < 32; ++l) *y++ = d2 * ((q[l] >> 4) | ((b[i].qh[l] >> (2 * j + 1)) & 1) << 4) - m2;
    }
  }
}

// Q6_K: each 128 values read 64 ql bytes and 32 qh bytes; value l + 32k (k = 0..3) takes the
// low/high nibble of ql[l] or ql[l + 32] and bits 2k..2k+1 of qh[l]; group = (l / 16) + 2k.
void dequantize_row_q6_k(const void* src, float* y, int64_t n) {
  const auto* b = static_cast<const BlockQ6_K*>(src);
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float d = f16_to_f32(b[i].d);
    for (int half = 0; half < 2; ++half, y += 128) {
      const uint8_t* ql = b[i].ql + 64 * half;
      const uint8_t* qh = b[i].qh + 32 * half;
      const int8_t* sc = b[i].scales + 8 * half;
      for (int l = 0; l < 32; ++l) {
        const int g = l / 16;
        const int q1 = ((ql[l] & 15) | ((qh[l] >> 0) & 3) << 4) - 32;
        const int q2 = ((ql[l + 32] & 15) | ((qh[l] >> 2) & 3) << 4) - 32;
        const int q3 = ((ql[l] >> 4) | ((qh[l] >> 4) & 3) << 4) - 32;
        const int q4 = ((ql[l + 32] >> 4) | ((qh[l] >> 6) & 3) << 4) - 32;
        y[l] = d * sc[g] * q1;
        y[l + 32] = d * sc[g + 2] * q2;
        y[l + 64] = d * sc[g + 4] * q3;
        y[l + 96] = d * sc[g + 6] * q4;
      }
    }
  }
}

}  // namespace slm::quant
