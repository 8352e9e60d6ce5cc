#pragma once
// Writes a GgufVocab as the tokenizer.ggml.* metadata of a GGUF file.
#include "formats/gguf_writer.h"
#include "text/gguf_vocab.h"

namespace slm {

void write_gguf_vocab(GgufWriter& writer, const GgufVocab& vocab);

}  // namespace slm
