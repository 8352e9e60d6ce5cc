#pragma once
// The tokenizer.ggml.* metadata of a GGUF file as a plain GgufVocab.
#include "formats/gguf.h"
#include "text/gguf_vocab.h"

namespace slm {

// Throws slm::Error naming the file when the file has no vocabulary or it is malformed.
GgufVocab read_gguf_vocab(const GgufFile& file);

}  // namespace slm
