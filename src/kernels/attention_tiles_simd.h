#pragma once
// The body of the AVX2 and AVX-512 attention tiles, written once over a vector type V.
// A variant's .cpp includes this after `#pragma GCC target(...)` and defines V: the width, the
// handful of operations below, its exp, and the register blocking that fits its register file.
// Everything here has internal linkage, so each instantiation stays in (and runs only through)
// its variant, which the dispatcher picks only on a CPU that has the instructions.
//
// V provides: reg, kWidth, zero(), load(p) (from floats, and widening from f16 bits), store(p, x),
// set1(f), add, sub, mul, max, fmadd(a, b, c),
// exp(x), hsum(x); kGemmRows[4] (rows per GEMM tile for 1..4 vectors of query rows), kGemmTail
// (the smaller tile for leftover rows), kPvWide / kPvNarrow (head_dim vectors per P·V tile for
// up to two / more rows).
#include <cstdint>

#include "kernels/attention_tiles.h"

namespace slm::kernels {
namespace {

// Tile loops must be fully unrolled so the accumulators stay in registers (-O2 does not by itself).
#define SLM_UNROLL _Pragma("GCC unroll 16")

template <typename V>
struct SimdTiles {
  using reg = typename V::reg;
  static constexpr int W = V::kWidth;

  template <int NV, int R>
  static void gemm_tile(const float* a, int64_t a_rs, int64_t a_ks, const float* b, int64_t depth, int64_t mp,
                        const float* alpha, bool accumulate, float* c) {
    reg acc[R][NV];
    if (accumulate) {
      reg al[NV];
      SLM_UNROLL for (int v = 0; v < NV; ++v) al[v] = alpha ? V::load(alpha + v * W) : V::set1(1.0f);
      SLM_UNROLL for (int r = 0; r < R; ++r)
        SLM_UNROLL for (int v = 0; v < NV; ++v) acc[r][v] = V::mul(V::load(c + r * mp + v * W), al[v]);
    } else {
      SLM_UNROLL for (int r = 0; r < R; ++r)
        SLM_UNROLL for (int v = 0; v < NV; ++v) acc[r][v] = V::zero();
    }
    for (int64_t i = 0; i < depth; ++i) {
      const float* ai = a + i * a_ks;
      reg bv[NV];
      SLM_UNROLL for (int v = 0; v < NV; ++v) bv[v] = V::load(b + i * mp + v * W);
      SLM_UNROLL for (int r = 0; r < R; ++r) {
        const reg ar = V::set1(ai[r * a_rs]);
        SLM_UNROLL for (int v = 0; v < NV; ++v) acc[r][v] = V::fmadd(ar, bv[v], acc[r][v]);
      }
    }
    SLM_UNROLL for (int r = 0; r < R; ++r)
      SLM_UNROLL for (int v = 0; v < NV; ++v) V::store(c + r * mp + v * W, acc[r][v]);
  }

  // Rows in tiles of kGemmRows[NV - 1], then kGemmTail, then 1.
  template <int NV>
  static void gemm_nv(const float* a, int64_t a_rs, int64_t a_ks, int64_t rows, const float* b, int64_t depth,
                      int64_t mp, const float* alpha, bool accumulate, float* c) {
    constexpr int R = V::kGemmRows[NV - 1], T = V::kGemmTail;
    int64_t r = 0;
    for (; r + R <= rows; r += R) gemm_tile<NV, R>(a + r * a_rs, a_rs, a_ks, b, depth, mp, alpha, accumulate, c + r * mp);
    for (; r + T <= rows; r += T) gemm_tile<NV, T>(a + r * a_rs, a_rs, a_ks, b, depth, mp, alpha, accumulate, c + r * mp);
    for (; r < rows; ++r) gemm_tile<NV, 1>(a + r * a_rs, a_rs, a_ks, b, depth, mp, alpha, accumulate, c + r * mp);
  }

  static void gemm(const float* a, int64_t a_rs, int64_t a_ks, int64_t rows, const float* b, int64_t depth,
                   int64_t mp, const float* alpha, bool accumulate, float* c) {
    switch (mp / W) {
      case 1: return gemm_nv<1>(a, a_rs, a_ks, rows, b, depth, mp, alpha, accumulate, c);
      case 2: return gemm_nv<2>(a, a_rs, a_ks, rows, b, depth, mp, alpha, accumulate, c);
      case 3: return gemm_nv<3>(a, a_rs, a_ks, rows, b, depth, mp, alpha, accumulate, c);
      default: return gemm_nv<4>(a, a_rs, a_ks, rows, b, depth, mp, alpha, accumulate, c);
    }
  }

  static void softmax_step(float* st, int64_t n, int64_t mp, float* run_max, float* alpha, float* sum) {
    for (int64_t m = 0; m < mp; m += W) {
      const reg old = V::load(run_max + m);
      reg mx = old;
      for (int64_t j = 0; j < n; ++j) mx = V::max(mx, V::load(st + j * mp + m));
      reg s = V::zero();
      for (int64_t j = 0; j < n; ++j) {
        const reg p = V::exp(V::sub(V::load(st + j * mp + m), mx));
        V::store(st + j * mp + m, p);
        s = V::add(s, p);
      }
      V::store(alpha + m, V::exp(V::sub(old, mx)));
      V::store(sum + m, s);
      V::store(run_max + m, mx);
    }
  }

  // Decode streams each head's cache rows once from memory, in runs too short for the hardware
  // prefetchers to get going: each row read asks for the row kRowsAhead further on. (Qwen3-0.6B
  // Q8_0 at context 2000: generation 34.0 -> 35.3 tok/s; 4 rows ahead as good, 16 worse; one
  // burst for the whole next key block instead cost 9%.)
  static constexpr int64_t kRowsAhead = 8;
  template <typename E>
  static void prefetch_ahead(const E* row, int64_t stride, size_t bytes) {
    const char* p = reinterpret_cast<const char*>(row + kRowsAhead * stride);
    for (size_t b = 0; b < bytes; b += 64) __builtin_prefetch(p + b, 0, 3);
  }

  // RG query rows against NK keys at once: independent chains for the pipeline and several cache
  // rows in flight.
  // E: the cache element (float, or uint16_t f16 bits widened by V::load).
  template <int RG, int NK, typename E>
  static void dot_tile(const float* q, const E* k, int64_t k_stride, int64_t d, float* st, int64_t mp) {
    reg acc[NK][RG];
    SLM_UNROLL for (int j = 0; j < NK; ++j)
      SLM_UNROLL for (int r = 0; r < RG; ++r) acc[j][r] = V::zero();
    for (int64_t i = 0; i < d; i += W) {
      SLM_UNROLL for (int j = 0; j < NK; ++j) {
        const reg kv = V::load(k + j * k_stride + i);
        SLM_UNROLL for (int r = 0; r < RG; ++r) acc[j][r] = V::fmadd(V::load(q + r * d + i), kv, acc[j][r]);
      }
    }
    SLM_UNROLL for (int j = 0; j < NK; ++j)
      SLM_UNROLL for (int r = 0; r < RG; ++r) st[j * mp + r] = V::hsum(acc[j][r]);
  }

  template <int RG, typename E>
  static void dot_group(const float* q, const E* k, int64_t k_stride, int64_t n, int64_t d, float* st,
                        int64_t mp) {
    constexpr int NK = RG <= 2 ? 4 : 2;
    int64_t j = 0;
    for (; j + NK <= n; j += NK) {
      SLM_UNROLL for (int a = 0; a < NK; ++a) prefetch_ahead(k + (j + a) * k_stride, k_stride, d * sizeof(E));
      dot_tile<RG, NK>(q, k + j * k_stride, k_stride, d, st + j * mp, mp);
    }
    for (; j < n; ++j) dot_tile<RG, 1>(q, k + j * k_stride, k_stride, d, st + j * mp, mp);
  }

  template <typename E>
  static void dot_rows(const float* q, int64_t rows, const E* k, int64_t k_stride, int64_t n, int64_t d,
                       float* st, int64_t mp) {
    for (int64_t r = 0; r < rows; r += 4) {
      const float* qr = q + r * d;
      switch (rows - r < 4 ? rows - r : 4) {
        case 1: dot_group<1>(qr, k, k_stride, n, d, st + r, mp); break;
        case 2: dot_group<2>(qr, k, k_stride, n, d, st + r, mp); break;
        case 3: dot_group<3>(qr, k, k_stride, n, d, st + r, mp); break;
        default: dot_group<4>(qr, k, k_stride, n, d, st + r, mp); break;
      }
    }
  }

  template <int RG, int NVD, typename E>
  static void pv_tile(const float* st, int64_t mp, const E* v, int64_t v_stride, int64_t n, int64_t d,
                      const float* alpha, float* o) {
    reg acc[RG][NVD];
    SLM_UNROLL for (int r = 0; r < RG; ++r) {
      const reg al = V::set1(alpha ? alpha[r] : 1.0f);
      SLM_UNROLL for (int u = 0; u < NVD; ++u) acc[r][u] = V::mul(V::load(o + r * d + u * W), al);
    }
    for (int64_t j = 0; j < n; ++j) {
      prefetch_ahead(v + j * v_stride, v_stride, NVD * W * sizeof(E));
      reg vv[NVD];
      SLM_UNROLL for (int u = 0; u < NVD; ++u) vv[u] = V::load(v + j * v_stride + u * W);
      SLM_UNROLL for (int r = 0; r < RG; ++r) {
        const reg p = V::set1(st[j * mp + r]);
        SLM_UNROLL for (int u = 0; u < NVD; ++u) acc[r][u] = V::fmadd(p, vv[u], acc[r][u]);
      }
    }
    SLM_UNROLL for (int r = 0; r < RG; ++r)
      SLM_UNROLL for (int u = 0; u < NVD; ++u) V::store(o + r * d + u * W, acc[r][u]);
  }

  template <int RG, typename E>
  static void pv_group(const float* st, int64_t mp, const E* v, int64_t v_stride, int64_t n, int64_t d,
                       const float* alpha, float* o) {
    constexpr int NVD = RG <= 2 ? V::kPvWide : V::kPvNarrow;
    int64_t i = 0;
    for (; i + NVD * W <= d; i += NVD * W) pv_tile<RG, NVD>(st, mp, v + i, v_stride, n, d, alpha, o + i);
    for (; i < d; i += W) pv_tile<RG, 1>(st, mp, v + i, v_stride, n, d, alpha, o + i);
  }

  template <typename E>
  static void pv_rows(const float* st, int64_t mp, int64_t rows, const E* v, int64_t v_stride, int64_t n,
                      int64_t d, const float* alpha, float* o) {
    for (int64_t r = 0; r < rows; r += 4) {
      const float* al = alpha ? alpha + r : nullptr;
      switch (rows - r < 4 ? rows - r : 4) {
        case 1: pv_group<1>(st + r, mp, v, v_stride, n, d, al, o + r * d); break;
        case 2: pv_group<2>(st + r, mp, v, v_stride, n, d, al, o + r * d); break;
        case 3: pv_group<3>(st + r, mp, v, v_stride, n, d, al, o + r * d); break;
        default: pv_group<4>(st + r, mp, v, v_stride, n, d, al, o + r * d); break;
      }
    }
  }

  // The variant's kernel table.
  static AttentionTiles table(const char* name) {
    return {name, W, 4 * W, gemm, softmax_step, dot_rows<float>, pv_rows<float>, dot_rows<uint16_t>, pv_rows<uint16_t>};
  }
};

#undef SLM_UNROLL

}  // namespace
}  // namespace slm::kernels
