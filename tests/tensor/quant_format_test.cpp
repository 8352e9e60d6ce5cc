// Bit compatibility with GGUF: blocks built byte by byte dequantize to the values the format
// defines. Expected values are computed here straight from each element's index (which byte,
// which bits, which group scale), independently of the loops in src/tensor/quant.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "base/half.h"
#include "tensor/quant/quant.h"

namespace slm::quant {
namespace {

std::vector<uint8_t> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

void put_half(uint8_t* p, float v) {
  const uint16_t h = f32_to_f16(v);
  std::memcpy(p, &h, 2);
}

std::vector<float> dequantized(DType t, const std::vector<uint8_t>& bytes) {
  const int64_t n = static_cast<int64_t>(bytes.size()) / dtype_info(t).block_bytes * dtype_info(t).block_elems;
  std::vector<float> out(n);
  dequantize_row(t, bytes.data(), out.data(), n);
  return out;
}

void expect_values(const std::vector<float>& got, const std::vector<float>& want, const char* type) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6f * (1 + std::fabs(want[i]))) << type << " " << i;
}

// Byte layouts (offsets) per the GGUF spec: d first for the 32-value types.
TEST(QuantFormat, Q8_0) {
  auto b = random_bytes(34, 1);
  put_half(&b[0], 0.25f);
  std::vector<float> want(32);
  for (int i = 0; i < 32; ++i) want[i] = 0.25f * static_cast<int8_t>(b[2 + i]);
  expect_values(dequantized(DType::Q8_0, b), want, "Q8_0");
}

TEST(QuantFormat, Q4_0AndQ4_1) {
  auto b = random_bytes(18, 2);
  put_half(&b[0], 0.5f);
  std::vector<float> want(32);
  for (int i = 0; i < 32; ++i) want[i] = 0.5f * ((i < 16 ? b[2 + i] & 15 : b[2 + i - 16] >> 4) - 8);
  expect_values(dequantized(DType::Q4_0, b), want, "Q4_0");

  auto c = random_bytes(20, 3);
  put_half(&c[0], 0.5f);
  put_half(&c[2], -3.0f);
  for (int i = 0; i < 32; ++i) want[i] = 0.5f * (i < 16 ? c[4 + i] & 15 : c[4 + i - 16] >> 4) - 3.0f;
  expect_values(dequantized(DType::Q4_1, c), want, "Q4_1");
}

TEST(QuantFormat, Q5_0AndQ5_1) {
  auto b = random_bytes(22, 4);
  put_half(&b[0], 2.0f);
  std::vector<float> want(32);
  const auto code = [](const uint8_t* qh, const uint8_t* qs, int i) {
    const int bit = (qh[i / 8] >> (i % 8)) & 1;  // bit i of the little-endian 32-bit mask
    return (i < 16 ? qs[i] & 15 : qs[i - 16] >> 4) | bit << 4;
  };
  for (int i = 0; i < 32; ++i) want[i] = 2.0f * (code(&b[2], &b[6], i) - 16);
  expect_values(dequantized(DType::Q5_0, b), want, "Q5_0");

  auto c = random_bytes(24, 5);
  put_half(&c[0], 0.125f);
  put_half(&c[2], 1.0f);
  for (int i = 0; i < 32; ++i) want[i] = 0.125f * code(&c[4], &c[8], i) + 1.0f;
  expect_values(dequantized(DType::Q5_1, c), want, "Q5_1");
}

// Q2_K: scales[16] | qs[64] | d | dmin. Element e: 128-value half e/128, within it bit pair
// (e%128)/32, byte 32*half + e%32; group e/16 with scale = low nibble, min = high nibble.
TEST(QuantFormat, Q2_K) {
  auto b = random_bytes(84, 6);
  put_half(&b[80], 0.5f);
  put_half(&b[82], 0.25f);
  std::vector<float> want(256);
  for (int e = 0; e < 256; ++e) {
    const int half = e / 128, pair = (e % 128) / 32;
    const int q = (b[16 + 32 * half + e % 32] >> (2 * pair)) & 3;
    const uint8_t s = b[e / 16];
    want[e] = 0.5f * (s & 15) * q - 0.25f * (s >> 4);
  }
  expect_values(dequantized(DType::Q2_K, b), want, "Q2_K");
}

// Q3_K: hmask[32] | qs[64] | scales[12] | d. Code = 2 bits (as Q2_K) minus 4 unless bit e/32 of
// hmask[e%32] is set; 16 signed 6-bit scales: low nibbles in bytes 0..7 (groups 0..7 low halves,
// 8..15 high halves), top 2 bits of group g in byte 8 + g%4 at bit 2*(g/4); value minus 32.
TEST(QuantFormat, Q3_K) {
  auto b = random_bytes(110, 7);
  int scales[16];
  std::mt19937 rng(70);
  for (int& s : scales) s = static_cast<int>(rng() % 64) - 32;
  uint8_t* sb = &b[96];
  std::memset(sb, 0, 12);
  for (int g = 0; g < 16; ++g) {
    const int u = scales[g] + 32;
    sb[g % 8] |= static_cast<uint8_t>((u & 15) << (g < 8 ? 0 : 4));
    sb[8 + g % 4] |= static_cast<uint8_t>((u >> 4) << (2 * (g / 4)));
  }
  put_half(&b[108], 0.5f);
  std::vector<float> want(256);
  for (int e = 0; e < 256; ++e) {
    const int half = e / 128, pair = (e % 128) / 32;
    const int low = (b[32 + 32 * half + e % 32] >> (2 * pair)) & 3;
    const int high = (b[e % 32] >> (e / 32)) & 1;
    want[e] = 0.5f * scales[e / 16] * (low - (high ? 0 : 4));
  }
  expect_values(dequantized(DType::Q3_K, b), want, "Q3_K");
}

// Q4_K / Q5_K: d | dmin | scales[12] | (qh[32]) | qs[128]. Groups of 32; 6-bit scale and min:
// groups 0..3 in the low 6 bits of bytes g and g+4; groups 4..7 low nibbles in byte g+4 (scale
// low, min high), their top 2 bits in the top bits of bytes g-4 (scale) and g (min).
void pack_k4_scales(const int* sc, const int* mn, uint8_t* s) {
  std::memset(s, 0, 12);
  for (int g = 0; g < 4; ++g) s[g] = static_cast<uint8_t>(sc[g]), s[g + 4] = static_cast<uint8_t>(mn[g]);
  for (int g = 4; g < 8; ++g) {
    s[g + 4] = static_cast<uint8_t>((sc[g] & 15) | (mn[g] & 15) << 4);
    s[g - 4] |= static_cast<uint8_t>((sc[g] >> 4) << 6);
    s[g] |= static_cast<uint8_t>((mn[g] >> 4) << 6);
  }
}

TEST(QuantFormat, Q4_KAndQ5_K) {
  int sc[8], mn[8];
  std::mt19937 rng(80);
  for (int g = 0; g < 8; ++g) sc[g] = static_cast<int>(rng() % 64), mn[g] = static_cast<int>(rng() % 64);
  // Element e: group e/32; byte 32*(e/64) + e%32, low nibble when (e%64) < 32.
  const auto nibble = [](const uint8_t* qs, int e) {
    const uint8_t byte = qs[32 * (e / 64) + e % 32];
    return (e % 64) < 32 ? byte & 15 : byte >> 4;
  };
  auto b = random_bytes(144, 8);
  put_half(&b[0], 0.5f);
  put_half(&b[2], 0.125f);
  pack_k4_scales(sc, mn, &b[4]);
  std::vector<float> want(256);
  for (int e = 0; e < 256; ++e) want[e] = 0.5f * sc[e / 32] * nibble(&b[16], e) - 0.125f * mn[e / 32];
  expect_values(dequantized(DType::Q4_K, b), want, "Q4_K");

  auto c = random_bytes(176, 9);
  put_half(&c[0], 0.25f);
  put_half(&c[2], 2.0f);
  pack_k4_scales(sc, mn, &c[4]);
  for (int e = 0; e < 256; ++e) {
    const int q = nibble(&c[48], e) | ((c[16 + e % 32] >> (e / 32)) & 1) << 4;  // fifth bit: qh[e%32], bit e/32
    want[e] = 0.25f * sc[e / 32] * q - 2.0f * mn[e / 32];
  }
  expect_values(dequantized(DType::Q5_K, c), want, "Q5_K");
}

// Q6_K: ql[128] | qh[64] | scales[16] (int8) | d. Element e: half h = e/128, r = e%128,
// quarter k = r/32, l = r%32; low 4 bits from ql[64h + l + 32*(k%2)] (low nibble for k < 2),
// high 2 bits from qh[32h + l] at bit 2k; value (code - 32) * scale[e/16] * d.
TEST(QuantFormat, Q6_K) {
  auto b = random_bytes(210, 10);
  put_half(&b[208], 0.0625f);
  std::vector<float> want(256);
  for (int e = 0; e < 256; ++e) {
    const int h = e / 128, r = e % 128, k = r / 32, l = r % 32;
    const uint8_t lowbyte = b[64 * h + l + 32 * (k % 2)];
    const int low = k < 2 ? lowbyte & 15 : lowbyte >> 4;
    const int high = (b[128 + 32 * h + l] >> (2 * k)) & 3;
    want[e] = 0.0625f * static_cast<int8_t>(b[192 + e / 16]) * ((low | high << 4) - 32);
  }
  expect_values(dequantized(DType::Q6_K, b), want, "Q6_K");
}

// Quantizing then dequantizing the dequantized values of a block reproduces them for the
// absmax formats (a fixed point of the quantizer).
TEST(QuantFormat, Q8_0QuantizeIsExactOnItsGrid) {
  std::vector<float> x(32);
  for (int i = 0; i < 32; ++i) x[i] = 0.5f * (i - 16);
  x[0] = -63.5f;  // absmax 63.5 = 127 * 0.5
  std::vector<uint8_t> q(34);
  quantize_row(DType::Q8_0, x.data(), q.data(), 32);
  std::vector<float> back(32);
  dequantize_row(DType::Q8_0, q.data(), back.data(), 32);
  for (int i = 0; i < 32; ++i) EXPECT_EQ(back[i], x[i]) << i;
}

}  // namespace
}  // namespace slm::quant
