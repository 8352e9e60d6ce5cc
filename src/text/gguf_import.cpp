// Tokenizer::from_gguf_vocab: a tokenizer from GGUF tokenizer.ggml.* metadata, following
// llama.cpp's semantics for each vocabulary type.
#include "slm/error.h"
#include "text/tokenizer.h"

namespace slm {

std::unique_ptr<Tokenizer> Tokenizer::from_gguf_vocab(const GgufVocab& vocab) {
  throw Error("GGUF vocabulary: not implemented");
}

}  // namespace slm
