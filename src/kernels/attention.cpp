// Flash-attention style: a job takes the query heads that share one KV head for a block of tokens
// (rows = tokens x heads) and walks its keys a block at a time, keeping a running maximum, sum and
// unnormalised output per row (online softmax), so each K/V row is read once per job and the
// scores never need more than one key block of memory. Jobs are (head block, token block, key
// split); when there are too few of them to keep the threads busy (decode, short prompts over a
// long cache) each job's key range is split and the partial softmax states are merged at the end.
#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <string>

#include "kernels/attention.h"
#include "kernels/attention_tiles.h"
#include "kernels/dot.h"
#include "slm/error.h"

namespace slm::kernels {
namespace {

constexpr int64_t kKeyBlock = 64;       // keys per step: the score tile is kKeyBlock x mp
constexpr int64_t kMinSplitKeys = 256;  // a key split shorter than this costs more to merge than it saves
constexpr int64_t kMaxRows = 64;        // query rows per job (bounds the per-row state on the stack)

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

struct Plan {
  int64_t group;            // query heads per KV head
  int64_t heads_per_block;  // query heads per job (all of a group unless the group exceeds kMaxRows)
  int64_t blocks_per_kv;    // head blocks per KV head
  int64_t n_hblocks;
  int64_t tokens_per_block, n_qblocks;
  int64_t n_splits;
  int64_t rows, mp;  // query rows per job, padded to the vector width
  bool rows_layout;  // decode layout (vectors along head_dim) rather than tiles (vectors along rows)
  bool widen;        // f16 cache in the tiles layout: each key block is widened to f32 first
  int64_t n_base, n_jobs;
  size_t per_thread, state_row, states;
};

Plan make_plan(const AttentionTiles& t, int64_t n_tokens, int64_t pos0, const AttentionShape& s, int n_threads) {
  if (s.n_kv_heads <= 0 || s.n_heads % s.n_kv_heads != 0) throw Error("attention: heads must be a multiple of kv heads");
  Plan p{};
  const int64_t max_rows = std::min(t.max_rows, kMaxRows);
  p.group = s.n_heads / s.n_kv_heads;
  p.heads_per_block = std::min(p.group, max_rows);
  p.blocks_per_kv = ceil_div(p.group, p.heads_per_block);
  p.n_hblocks = s.n_kv_heads * p.blocks_per_kv;
  // Enough jobs to balance the threads (a few per thread), but token blocks as tall as allowed.
  const int64_t target = 4 * std::max(1, n_threads);
  const int64_t want_qblocks = ceil_div(target, p.n_hblocks);
  p.tokens_per_block = std::clamp<int64_t>(ceil_div(n_tokens, want_qblocks), 1, max_rows / p.heads_per_block);
  p.n_qblocks = ceil_div(n_tokens, p.tokens_per_block);
  p.rows = p.tokens_per_block * p.heads_per_block;
  p.mp = ceil_div(p.rows, t.width) * t.width;
  // Few rows waste most lanes of a tile; then vectors run along head_dim instead.
  p.rows_layout = t.width > 1 && s.head_dim % t.width == 0 && 2 * p.rows <= t.width;
  p.n_base = p.n_hblocks * p.n_qblocks;
  p.n_splits = 1;
  if (p.n_base < target) {
    const int64_t span = s.window > 0 ? std::min(s.window, pos0 + n_tokens) : pos0 + n_tokens;
    p.n_splits = std::max<int64_t>(1, std::min(ceil_div(target, p.n_base), span / kMinSplitKeys));
  }
  p.n_jobs = p.n_base * p.n_splits;
  // Decode kernels widen f16 elements as they load them; the prefill GEMM reads each key block
  // many times, so it gets an f32 copy of the block.
  p.widen = s.kv_type == DType::F16 && !p.rows_layout;
  p.per_thread = static_cast<size_t>((2 * s.head_dim + kKeyBlock) * p.mp + (p.widen ? 2 * kKeyBlock * s.head_dim : 0));
  p.state_row = static_cast<size_t>(s.head_dim + 2);
  p.states = p.n_splits > 1 ? static_cast<size_t>(p.n_jobs * p.rows) * p.state_row : 0;
  return p;
}

// Cache rows may be kv_stride apart (4 KiB for 8 KV heads x 128 in a position-major cache), a stride the hardware prefetchers
// do not follow across pages; a tile block computes long enough to pull the next block into L2.
void prefetch_rows(const uint8_t* p, size_t stride_bytes, int64_t rows, size_t row_bytes) {
  for (int64_t r = 0; r < rows; ++r)
    for (size_t i = 0; i < row_bytes; i += 64) __builtin_prefetch(p + r * stride_bytes + i, 0, 2);
}

// n rows of d f16 elements, `stride` elements apart, to f32 rows of d floats side by side.
void widen_rows(const uint16_t* src, int64_t stride, int64_t n, int64_t d, float* dst) {
  const auto convert = dot_best().f16_to_f32;
  if (stride == d) return convert(src, dst, n * d);
  for (int64_t r = 0; r < n; ++r) convert(src + r * stride, dst + r * d, d);
}

struct Job {
  const AttentionTiles& t;
  const AttentionShape& s;
  const Plan& p;
  const float* q;
  const uint8_t *k, *v;  // elements of s.kv_type
  float* out;
  int64_t n_tokens, pos0;
  float* states;

  int64_t first_key(int64_t pos) const { return s.window > 0 ? std::max<int64_t>(0, pos - s.window + 1) : 0; }

  // One job: `base` names (token block, head block), `split` the part of its key range.
  void run(int64_t base, int64_t split, float* ws) const {
    const int64_t D = s.head_dim, mp = p.mp, q_stride = s.n_heads * D;
    const int64_t qb = base / p.n_hblocks, hb = base % p.n_hblocks;
    const int64_t kvh = hb / p.blocks_per_kv;
    const int64_t h0 = kvh * p.group + (hb % p.blocks_per_kv) * p.heads_per_block;
    const int64_t nh = std::min(p.heads_per_block, (kvh + 1) * p.group - h0);
    const int64_t t0 = qb * p.tokens_per_block, nt = std::min(p.tokens_per_block, n_tokens - t0);
    const int64_t M = nt * nh;  // row r = token (r / nh), head h0 + r % nh
    float* qbuf = ws;
    float* st = qbuf + D * mp;
    float* obuf = st + kKeyBlock * mp;
    float* kwide = obuf + D * mp;  // widened key and value blocks (f16 caches)
    float* vwide = kwide + kKeyBlock * D;
    const bool f16 = s.kv_type == DType::F16;
    const size_t esize = f16 ? 2 : 4;

    // Queries scaled once; tiles put rows along the lanes (pad lanes zero, so their scores are 0).
    if (p.rows_layout) {
      std::memset(st, 0, kKeyBlock * mp * sizeof(float));  // pad lanes stay finite
      std::memset(obuf, 0, M * D * sizeof(float));
    } else {
      std::memset(qbuf, 0, D * mp * sizeof(float));
      std::memset(obuf, 0, D * mp * sizeof(float));
    }
    for (int64_t r = 0; r < M; ++r) {
      const float* src = q + (t0 + r / nh) * q_stride + (h0 + r % nh) * D;
      if (p.rows_layout)
        for (int64_t d = 0; d < D; ++d) qbuf[r * D + d] = src[d] * s.scale;
      else
        for (int64_t d = 0; d < D; ++d) qbuf[d * mp + r] = src[d] * s.scale;
    }
    // -FLT_MAX rather than -inf: exp(run_max - new_max) stays 1 (not NaN) while a row has seen only masked keys.
    float run_max[kMaxRows], alpha[kMaxRows], sum[kMaxRows];
    double l[kMaxRows];
    std::fill(run_max, run_max + mp, -FLT_MAX);
    std::fill(l, l + M, 0.0);

    const int64_t first_pos = pos0 + t0, last_pos = first_pos + nt - 1;
    const int64_t lo = first_key(first_pos), hi = last_pos + 1;
    const int64_t chunk = ceil_div(ceil_div(hi - lo, p.n_splits), kKeyBlock) * kKeyBlock;
    const int64_t k_lo = std::min(hi, lo + split * chunk), k_hi = std::min(hi, k_lo + chunk);
    const int64_t kv_off = s.head_offset(kvh);
    for (int64_t kb = k_lo, ke; kb < k_hi; kb = ke) {
      ke = std::min(kb + kKeyBlock, k_hi);
      if (s.ring) ke = std::min(ke, (kb / s.ring + 1) * s.ring);  // a block never wraps the ring
      const int64_t nk = ke - kb;
      const int64_t row0 = (s.ring ? kb % s.ring : kb) * s.kv_stride + kv_off;
      const uint16_t *kh = reinterpret_cast<const uint16_t*>(k) + row0, *vh = reinterpret_cast<const uint16_t*>(v) + row0;
      const float *kp = reinterpret_cast<const float*>(k) + row0, *vp = reinterpret_cast<const float*>(v) + row0;
      int64_t stride = s.kv_stride;
      if (p.widen) {
        widen_rows(kh, s.kv_stride, nk, D, kwide);
        widen_rows(vh, s.kv_stride, nk, D, vwide);
        kp = kwide, vp = vwide, stride = D;
      }
      if (!p.rows_layout && ke < k_hi) {
        const int64_t next = std::min(kKeyBlock, k_hi - ke);
        const int64_t next0 = (s.ring ? ke % s.ring : ke) * s.kv_stride + kv_off;
        const int64_t n = s.ring ? std::min(next, s.ring - ke % s.ring) : next;
        prefetch_rows(k + next0 * esize, s.kv_stride * esize, n, D * esize);
        prefetch_rows(v + next0 * esize, s.kv_stride * esize, n, D * esize);
      }
      if (p.rows_layout && f16) t.dot_rows_f16(qbuf, M, kh, stride, nk, D, st, mp);
      else if (p.rows_layout) t.dot_rows(qbuf, M, kp, stride, nk, D, st, mp);
      else t.gemm(kp, stride, 1, nk, qbuf, D, mp, nullptr, false, st);
      // Causal and window masks, only where this block crosses a row's limits.
      if (ke - 1 > first_pos || kb < first_key(last_pos))
        for (int64_t tl = 0; tl < nt; ++tl) {
          const int64_t pos = first_pos + tl, lo_t = first_key(pos);
          auto mask = [&](int64_t a, int64_t b) {
            for (int64_t j = a; j < b; ++j)
              for (int64_t hl = 0; hl < nh; ++hl) st[(j - kb) * mp + tl * nh + hl] = -INFINITY;
          };
          mask(kb, std::min(ke, lo_t));
          mask(std::max(kb, pos + 1), ke);
        }
      t.softmax_step(st, nk, mp, run_max, alpha, sum);
      for (int64_t r = 0; r < M; ++r) l[r] = l[r] * alpha[r] + sum[r];
      if (p.rows_layout && f16) t.pv_rows_f16(st, mp, M, vh, stride, nk, D, alpha, obuf);
      else if (p.rows_layout) t.pv_rows(st, mp, M, vp, stride, nk, D, alpha, obuf);
      else t.gemm(vp, 1, stride, D, st, nk, mp, alpha, true, obuf);
    }

    auto o = [&](int64_t r, int64_t d) { return p.rows_layout ? obuf[r * D + d] : obuf[d * mp + r]; };
    if (p.n_splits == 1) {
      for (int64_t r = 0; r < M; ++r) {
        float* dst = out + (t0 + r / nh) * q_stride + (h0 + r % nh) * D;
        const float inv = static_cast<float>(1.0 / l[r]);
        for (int64_t d = 0; d < D; ++d) dst[d] = o(r, d) * inv;
      }
      return;
    }
    float* state = states + (base * p.n_splits + split) * p.rows * p.state_row;
    for (int64_t r = 0; r < M; ++r, state += p.state_row) {
      state[0] = run_max[r];
      state[1] = static_cast<float>(l[r]);
      for (int64_t d = 0; d < D; ++d) state[2 + d] = o(r, d);
    }
  }

  // Combines the splits of one (token block, head block): each partial output weighs by
  // exp(its max - the overall max).
  void merge(int64_t base) const {
    const int64_t D = s.head_dim, q_stride = s.n_heads * D;
    const int64_t qb = base / p.n_hblocks, hb = base % p.n_hblocks;
    const int64_t kvh = hb / p.blocks_per_kv;
    const int64_t h0 = kvh * p.group + (hb % p.blocks_per_kv) * p.heads_per_block;
    const int64_t nh = std::min(p.heads_per_block, (kvh + 1) * p.group - h0);
    const int64_t t0 = qb * p.tokens_per_block, nt = std::min(p.tokens_per_block, n_tokens - t0);
    const float* first = states + base * p.n_splits * p.rows * p.state_row;
    const size_t split_stride = p.rows * p.state_row;
    for (int64_t r = 0; r < nt * nh; ++r) {
      float mx = -FLT_MAX;
      for (int64_t sp = 0; sp < p.n_splits; ++sp) mx = std::max(mx, first[sp * split_stride + r * p.state_row]);
      float* dst = out + (t0 + r / nh) * q_stride + (h0 + r % nh) * D;
      std::fill(dst, dst + D, 0.0f);
      double total = 0;
      for (int64_t sp = 0; sp < p.n_splits; ++sp) {
        const float* st = first + sp * split_stride + r * p.state_row;
        const float w = std::exp(st[0] - mx);
        total += static_cast<double>(w) * st[1];
        for (int64_t d = 0; d < D; ++d) dst[d] += w * st[2 + d];
      }
      const float inv = static_cast<float>(1.0 / total);
      for (int64_t d = 0; d < D; ++d) dst[d] *= inv;
    }
  }
};

}  // namespace

size_t attention_scratch_floats_with(const AttentionTiles& tiles, int64_t n_tokens, int64_t pos0,
                                     const AttentionShape& shape, int n_threads) {
  const Plan p = make_plan(tiles, n_tokens, pos0, shape, n_threads);
  return static_cast<size_t>(std::max(1, n_threads)) * p.per_thread + p.states;
}

void attention_with(const AttentionTiles& tiles, const float* q, const void* k, const void* v, float* out,
                    int64_t n_tokens, int64_t pos0, const AttentionShape& shape, float* scratch, ThreadPool& pool) {
  if (n_tokens <= 0) return;
  if (shape.kv_type != DType::F32 && shape.kv_type != DType::F16)
    throw Error(std::string("attention: K/V cache of type ") + dtype_name(shape.kv_type) + " (f32 or f16 expected)");
  const Plan p = make_plan(tiles, n_tokens, pos0, shape, pool.size());
  const Job job{tiles, shape, p, q, static_cast<const uint8_t*>(k), static_cast<const uint8_t*>(v), out,
                n_tokens, pos0, scratch + pool.size() * p.per_thread};
  // Jobs are handed out one at a time, latest token blocks (the most keys) first, so uneven causal
  // jobs still balance; every job's result depends only on its inputs, never on which thread ran it.
  std::atomic<int64_t> next{0};
  pool.parallel_for(static_cast<size_t>(pool.size()), [&](size_t, size_t, int thread) {
    float* ws = scratch + thread * p.per_thread;
    for (int64_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < p.n_jobs;) {
      const int64_t rank = i / p.n_splits, split = i % p.n_splits;
      const int64_t qb = p.n_qblocks - 1 - rank / p.n_hblocks, hb = rank % p.n_hblocks;
      job.run(qb * p.n_hblocks + hb, split, ws);
    }
  });
  if (p.n_splits > 1)
    pool.parallel_for(static_cast<size_t>(p.n_base), [&](size_t begin, size_t end, int) {
      for (size_t b = begin; b < end; ++b) job.merge(static_cast<int64_t>(b));
    });
}

size_t attention_scratch_floats(int64_t n_tokens, int64_t pos0, const AttentionShape& shape, int n_threads) {
  return attention_scratch_floats_with(attention_tiles_best(), n_tokens, pos0, shape, n_threads);
}

void attention(const float* q, const void* k, const void* v, float* out, int64_t n_tokens, int64_t pos0,
               const AttentionShape& shape, float* scratch, ThreadPool& pool) {
  attention_with(attention_tiles_best(), q, k, v, out, n_tokens, pos0, shape, scratch, pool);
}

}  // namespace slm::kernels
