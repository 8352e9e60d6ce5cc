#pragma once
// Causal scaled-dot-product attention over a KV cache, grouped-query aware.
// attention() is the fast kernel (tiled, online softmax, SIMD; see attention.cpp);
// attention_reference() is the straightforward scalar algorithm it is tested against.
#include <cstddef>
#include <cstdint>

#include "base/thread_pool.h"
#include "tensor/dtype.h"

namespace slm::kernels {

struct AttentionShape {
  int64_t n_heads;
  int64_t n_kv_heads;
  int64_t head_dim;
  int64_t kv_stride;  // elements between consecutive positions of one KV head in the K/V cache
  float scale;        // usually 1/sqrt(head_dim)
  int64_t window = 0; // sliding window (0 = none): a query at p sees keys p-window+1..p
  int64_t ring = 0;   // K/V rows form a ring of this many rows (position p at row p % ring); 0 = linear
  int64_t kv_head_stride = 0;  // elements between KV heads (0 = head_dim: the heads of a position side by side)
  DType kv_type = DType::F32;  // of the K/V cache elements: F32 or F16 (widened a key block at a time)
  int64_t head_offset(int64_t kv_head) const { return kv_head * (kv_head_stride ? kv_head_stride : head_dim); }
};

// Floats of scratch attention() needs for this call on a pool of n_threads.
size_t attention_scratch_floats(int64_t n_tokens, int64_t pos0, const AttentionShape& shape, int n_threads);

// q: n_tokens rows of n_heads*head_dim (token t sits at position pos0 + t);
// k, v: cache rows 0..pos0+n_tokens-1 of shape.kv_type; out: n_tokens rows of n_heads*head_dim.
// scratch: at least attention_scratch_floats(n_tokens, pos0, shape, pool.size()) floats.
void attention(const float* q, const void* k, const void* v, float* out, int64_t n_tokens, int64_t pos0,
               const AttentionShape& shape, float* scratch, ThreadPool& pool);

// The same result, one (token, head) at a time with plain loops; scratch: pool.size() * (pos0 + n_tokens).
void attention_reference(const float* q, const void* k, const void* v, float* out, int64_t n_tokens, int64_t pos0,
                         const AttentionShape& shape, float* scratch, ThreadPool& pool);

}  // namespace slm::kernels
