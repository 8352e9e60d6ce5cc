#include "tensor/dtype.h"

namespace slm {

static const DTypeInfo kInfo[] = {
    {"F32", 1, 4, 0},        {"F16", 1, 2, 1},          {"BF16", 1, 2, 30},      {"Q4_0", 32, 18, 2},
    {"Q4_1", 32, 20, 3},     {"Q5_0", 32, 22, 6},       {"Q5_1", 32, 24, 7},     {"Q8_0", 32, 34, 8},
    {"Q2_K", 256, 84, 10},   {"Q3_K", 256, 110, 11},    {"Q4_K", 256, 144, 12},  {"Q5_K", 256, 176, 13},
    {"Q6_K", 256, 210, 14},  {"Q8_0x4", 32, 34, -1},
};

const DTypeInfo& dtype_info(DType t) { return kInfo[static_cast<int>(t)]; }

std::optional<DType> dtype_from_ggml(uint32_t ggml_type) {
  for (size_t i = 0; i < sizeof(kInfo) / sizeof(kInfo[0]); ++i)
    if (kInfo[i].ggml_type >= 0 && static_cast<uint32_t>(kInfo[i].ggml_type) == ggml_type) return static_cast<DType>(i);
  return std::nullopt;
}

std::string ggml_type_name(uint32_t ggml_type) {
  if (auto t = dtype_from_ggml(ggml_type)) return dtype_name(*t);
  return "ggml type " + std::to_string(ggml_type);
}

}  // namespace slm
