#pragma once
// Quantization schemes as llama.cpp names them (Q8_0, Q4_0, Q4_K_M, Q5_K_M, Q6_K, F16, F32) and
// the type each tensor gets under them: norms and other vectors stay F32; the _M mixes give
// attn_v and ffn_down Q6_K in about half the layers; the output matrix (or the tied embedding)
// gets Q6_K; a row length a block type cannot hold falls back to a type that fits.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tensor/dtype.h"

namespace slm {

enum class QuantScheme { F32, F16, Q8_0, Q4_0, Q4_K_M, Q5_K_M, Q6_K };

std::optional<QuantScheme> parse_quant_scheme(const std::string& name);
const char* quant_scheme_name(QuantScheme s);
// "Q8_0, Q4_0, Q4_K_M, Q5_K_M, Q6_K, F16, F32" for messages.
std::string quant_scheme_names();
// GGUF general.file_type (llama.cpp's LLAMA_FTYPE_* numbering).
uint32_t quant_scheme_file_type(QuantScheme s);

struct TensorContext {
  std::string name;  // canonical/GGUF name, e.g. "blk.3.ffn_down.weight"
  std::vector<int64_t> shape;
  int64_t n_layers = 0;
  bool has_output = true;  // false: token_embd doubles as the output matrix
};

DType tensor_type_for(QuantScheme s, const TensorContext& t);

}  // namespace slm
