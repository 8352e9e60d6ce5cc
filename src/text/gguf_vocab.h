#pragma once
// The tokenizer part of a GGUF file's metadata (tokenizer.ggml.*), decoupled from the GGUF reader.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "text/piece_table.h"

namespace slm {

struct GgufVocab {
  std::string model;  // tokenizer.ggml.model: "gpt2" | "llama" | ...
  std::string pre;    // tokenizer.ggml.pre: "llama-bpe", "qwen2", "deepseek-r1-qwen", "gpt-4o", "default", ...
  PieceTable tokens;  // by id
  std::vector<float> scores;        // may be empty
  std::vector<int32_t> token_types;  // 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
  PieceTable merges;  // "a b" in rank order, may be empty; only read while the tokenizer is built
  std::optional<int32_t> bos_id, eos_id, unk_id, pad_id;
  std::optional<bool> add_bos, add_eos;
  std::optional<bool> add_space_prefix;
};

}  // namespace slm
