#include "kernels/dot.h"

#include <cstring>

#include "base/cpu_features.h"
#include "base/half.h"
#include "slm/error.h"
#include "tensor/quant/q8_0x4.h"
#include "tensor/quant/quant.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace slm::kernels {

// ---- scalar reference: obviously right, used to check the SIMD variants ----
namespace scalar {

static float dot_f32(const float* a, const float* b, int64_t n) {
  float s = 0;
  for (int64_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}
static float dot_bf16(const uint16_t* w, const float* x, int64_t n) {
  float s = 0;
  for (int64_t i = 0; i < n; ++i) s += bf16_to_f32(w[i]) * x[i];
  return s;
}
static float dot_f16(const uint16_t* w, const float* x, int64_t n) {
  float s = 0;
  for (int64_t i = 0; i < n; ++i) s += f16_to_f32(w[i]) * x[i];
  return s;
}
static void axpy_f32(float a, const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}
static void bf16_to_f32_row(const uint16_t* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_f32(src[i]);
}
static void f16_to_f32_row(const uint16_t* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = f16_to_f32(src[i]);
}

static void f32_to_f16_row(const float* src, uint16_t* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = f32_to_f16(src[i]);
}

}  // namespace scalar

const DotKernels& dot_scalar() {
  static const DotKernels k{"scalar", scalar::dot_f32, scalar::dot_bf16, scalar::dot_f16, scalar::bf16_to_f32_row,
                            scalar::f16_to_f32_row, scalar::f32_to_f16_row, scalar::axpy_f32};
  return k;
}

#if defined(__x86_64__)
// ---- AVX2 + FMA (+ F16C): four independent 8-wide accumulators ----
namespace avx2 {

#define SLM_AVX2 __attribute__((target("avx2,fma,f16c")))

SLM_AVX2 static inline float hsum(__m256 v) {
  __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
  lo = _mm_add_ps(lo, hi);
  lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
  lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
  return _mm_cvtss_f32(lo);
}

SLM_AVX2 static inline __m256 load_bf16(const uint16_t* p) {
  __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

SLM_AVX2 static inline __m256 load_f16(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// Σ load(w, i) * x[i] over [0, n); the scalar tail uses to_f32(w, i).
template <typename W, typename Load, typename Scalar>
SLM_AVX2 static inline float dot_generic(const W* w, const float* x, int64_t n, Load load, Scalar to_f32) {
  __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm256_fmadd_ps(load(w + i), _mm256_loadu_ps(x + i), s0);
    s1 = _mm256_fmadd_ps(load(w + i + 8), _mm256_loadu_ps(x + i + 8), s1);
    s2 = _mm256_fmadd_ps(load(w + i + 16), _mm256_loadu_ps(x + i + 16), s2);
    s3 = _mm256_fmadd_ps(load(w + i + 24), _mm256_loadu_ps(x + i + 24), s3);
  }
  for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(load(w + i), _mm256_loadu_ps(x + i), s0);
  float s = hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
  for (; i < n; ++i) s += to_f32(w[i]) * x[i];
  return s;
}

SLM_AVX2 static inline __m256 load_f32(const float* p) { return _mm256_loadu_ps(p); }

SLM_AVX2 static float dot_f32(const float* a, const float* b, int64_t n) {
  return dot_generic(a, b, n, load_f32, [](float v) { return v; });
}
SLM_AVX2 static float dot_bf16(const uint16_t* w, const float* x, int64_t n) {
  return dot_generic(w, x, n, load_bf16, [](uint16_t v) { return slm::bf16_to_f32(v); });
}
SLM_AVX2 static float dot_f16(const uint16_t* w, const float* x, int64_t n) {
  return dot_generic(w, x, n, load_f16, [](uint16_t v) { return slm::f16_to_f32(v); });
}

SLM_AVX2 static void axpy_f32(float a, const float* x, float* y, int64_t n) {
  const __m256 va = _mm256_set1_ps(a);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
  for (; i < n; ++i) y[i] += a * x[i];
}

SLM_AVX2 static void bf16_to_f32_row(const uint16_t* src, float* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, load_bf16(src + i));
  for (; i < n; ++i) dst[i] = slm::bf16_to_f32(src[i]);
}

SLM_AVX2 static void f16_to_f32_row(const uint16_t* src, float* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, load_f16(src + i));
  for (; i < n; ++i) dst[i] = slm::f16_to_f32(src[i]);
}

SLM_AVX2 static void f32_to_f16_row(const float* src, uint16_t* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  for (; i < n; ++i) dst[i] = slm::f32_to_f16(src[i]);
}

}  // namespace avx2
#endif

const DotKernels* dot_avx2() {
#if defined(__x86_64__)
  const auto& f = cpu_features();
  if (!(f.avx2 && f.fma && f.f16c)) return nullptr;
  static const DotKernels k{"avx2", avx2::dot_f32, avx2::dot_bf16, avx2::dot_f16, avx2::bf16_to_f32_row,
                            avx2::f16_to_f32_row, avx2::f32_to_f16_row, avx2::axpy_f32};
  return &k;
#else
  return nullptr;
#endif
}

const DotKernels& dot_best() {
  static const DotKernels& best = dot_avx2() ? *dot_avx2() : dot_scalar();
  return best;
}

void row_to_f32(DType dtype, const void* row, float* dst, int64_t n) {
  switch (dtype) {
    case DType::F32: std::memcpy(dst, row, n * sizeof(float)); return;
    case DType::BF16: dot_best().bf16_to_f32(static_cast<const uint16_t*>(row), dst, n); return;
    case DType::F16: dot_best().f16_to_f32(static_cast<const uint16_t*>(row), dst, n); return;
    default: quant::dequantize_row(dtype, row, dst, n); return;
  }
}

void matrix_row_to_f32(const Tensor& m, int64_t row, float* dst) {
  const int64_t n = m.cols();
  const size_t row_bytes = dtype_bytes(m.dtype, static_cast<size_t>(n));
  const auto* base = static_cast<const uint8_t*>(m.data);
  if (m.dtype == DType::Q8_0x4)
    return quant::dequantize_q8_0x4_row(base + row / 4 * 4 * row_bytes, static_cast<int>(row % 4), 0, n, dst);
  row_to_f32(m.dtype, base + row * row_bytes, dst, n);
}

float dot_row(DType dtype, const void* row, const float* x, int64_t n) {
  switch (dtype) {
    case DType::F32: return dot_best().dot_f32(static_cast<const float*>(row), x, n);
    case DType::BF16: return dot_best().dot_bf16(static_cast<const uint16_t*>(row), x, n);
    case DType::F16: return dot_best().dot_f16(static_cast<const uint16_t*>(row), x, n);
    default: throw Error(std::string("no dot product for ") + dtype_name(dtype) + " yet");
  }
}

}  // namespace slm::kernels
