#pragma once
// A Hugging Face tokenizer (tokenizer.json + tokenizer_config.json + config.json) as the GGUF
// vocabulary llama.cpp's converter would write for it: byte-level BPE as "gpt2" (tokens, types,
// merges, tokenizer.ggml.pre named after the pre-tokenizer regex), SentencePiece-style BPE
// (byte_fallback) as "llama" (scores, types). Special ids and add_bos/add_eos follow the
// converter's SpecialVocab: post-processor template, then tokenizer_config.json, then config.json.
#include <cstdint>
#include <string>

#include "text/gguf_vocab.h"
#include "text/tokenizer.h"

namespace slm {

// model_vocab_size: the embedding rows; ids the tokenizer does not use become "[PADn]" (unused).
// 0 = the tokenizer's own size. Throws slm::Error naming the file and field for anything it
// cannot express (unknown pre-tokenizer, non-BPE model, ids beyond model_vocab_size).
GgufVocab gguf_vocab_from_hf_dir(const std::string& dir, int64_t model_vocab_size = 0);

// Encodes and decodes a set of probe texts (spaces, newlines, digits, several scripts, emoji,
// every added token) with both tokenizers; a description of the first difference, "" if none.
std::string vocab_export_mismatch(const Tokenizer& hf, const GgufVocab& vocab);

}  // namespace slm
