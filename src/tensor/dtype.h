#pragma once
// Element types of weights. Block-quantized types store `block_elems` values in `block_bytes`.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace slm {

// Q8_0x4 is an in-memory layout only (four Q8_0 rows interleaved, see tensor/quant/q8_0x4.h):
// no file stores it, and its rows are reached through their group, never one by one.
enum class DType : uint8_t { F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_0x4 };
constexpr int kDTypeCount = 14;

struct DTypeInfo {
  const char* name;
  int block_elems;
  int block_bytes;
  int ggml_type;  // the type id GGUF files use; -1 for in-memory layouts
};

const DTypeInfo& dtype_info(DType t);
inline const char* dtype_name(DType t) { return dtype_info(t).name; }

// Bytes taken by n elements (n must be a multiple of the block size; checked by callers).
inline size_t dtype_bytes(DType t, size_t n) {
  const auto& info = dtype_info(t);
  return n / info.block_elems * info.block_bytes;
}

std::optional<DType> dtype_from_ggml(uint32_t ggml_type);
// "ggml type 23" for types slm does not know.
std::string ggml_type_name(uint32_t ggml_type);

}  // namespace slm
