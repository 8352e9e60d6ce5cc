#pragma once
// The inner kernels of attention() (attention.cpp holds the tiling and the online softmax).
// Two layouts:
//  - tiles (prefill): a job's query rows are padded to `mp` (a multiple of the vector width) and
//    lie along the vector lanes: Qt[d][mp], scores St[key][mp], output Ot[d][mp]. Scores and P·V
//    are then both small GEMMs that broadcast one cache element against whole vectors of rows,
//    so no horizontal sums and no constraint on head_dim.
//  - rows (decode, few rows): query rows are rows Q[r][d] and the vectors run along head_dim,
//    which needs head_dim % width == 0; scores still land in St[key][mp].
// Each variant has the scalar one as its reference (tests/kernels/attention_tiles_test.cpp).
#include <cstdint>

#include "base/thread_pool.h"
#include "kernels/attention.h"

namespace slm::kernels {

struct AttentionTiles {
  const char* name;
  int64_t width;     // vector lanes: row counts are padded to a multiple of this
  int64_t max_rows;  // most query rows one job may hold (tiles layout)
  // c[r][0..mp) for r < rows: (accumulate ? alpha ⊙ c[r] : 0) + Σ_{i<depth} a[r*a_rs + i*a_ks] * b[i][0..mp)
  // (alpha nullptr means 1; rows of b and c are mp apart). Scores: a = K, rows = keys, depth = d.
  // P·V: a = V, rows = d, depth = keys.
  void (*gemm)(const float* a, int64_t a_rs, int64_t a_ks, int64_t rows, const float* b, int64_t depth, int64_t mp,
               const float* alpha, bool accumulate, float* c);
  // One online-softmax step on st[n][mp]: new_max = max(run_max, column max); alpha = exp(run_max - new_max);
  // st = exp(st - new_max); sum = column sums; run_max = new_max. -inf scores become 0.
  void (*softmax_step)(float* st, int64_t n, int64_t mp, float* run_max, float* alpha, float* sum);
  // st[j][r] = q[r] · k[j*k_stride ..] for r < rows, j < n (q rows d apart).
  void (*dot_rows)(const float* q, int64_t rows, const float* k, int64_t k_stride, int64_t n, int64_t d, float* st,
                   int64_t mp);
  // o[r] = alpha[r] * o[r] + Σ_{j<n} st[j][r] * v[j*v_stride ..] for r < rows (o rows d apart; alpha nullptr means 1).
  void (*pv_rows)(const float* st, int64_t mp, int64_t rows, const float* v, int64_t v_stride, int64_t n, int64_t d,
                  const float* alpha, float* o);
  // The same two over an f16 cache, each element widened as it is loaded (decode streams the
  // cache once, so converting in registers beats widening a block into a buffer first).
  void (*dot_rows_f16)(const float* q, int64_t rows, const uint16_t* k, int64_t k_stride, int64_t n, int64_t d,
                       float* st, int64_t mp);
  void (*pv_rows_f16)(const float* st, int64_t mp, int64_t rows, const uint16_t* v, int64_t v_stride, int64_t n,
                      int64_t d, const float* alpha, float* o);
};

const AttentionTiles& attention_tiles_scalar();
const AttentionTiles* attention_tiles_avx2();    // nullptr when the CPU lacks AVX2+FMA
const AttentionTiles* attention_tiles_avx512();  // nullptr when the CPU lacks AVX-512F
const AttentionTiles& attention_tiles_best();    // chosen once from the CPU features

// attention() with a given variant (tests and benchmarks compare them).
size_t attention_scratch_floats_with(const AttentionTiles& tiles, int64_t n_tokens, int64_t pos0,
                                     const AttentionShape& shape, int n_threads);
void attention_with(const AttentionTiles& tiles, const float* q, const void* k, const void* v, float* out,
                    int64_t n_tokens, int64_t pos0, const AttentionShape& shape, float* scratch, ThreadPool& pool);

}  // namespace slm::kernels
