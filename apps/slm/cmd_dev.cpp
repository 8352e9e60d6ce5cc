// slm dev random-model --like qwen3-0.6b|llama-3.2-3b|tiny --type SCHEME [--seed S] [--threads K] OUT.gguf
// A GGUF with the exact shapes and metadata of a real model and random weights: for benchmarks
// (which feed random token ids, so no tokenizer is written) and for tests of the quantized paths.
#include <cmath>
#include <cstdio>
#include <functional>

#include "args.h"
#include "command.h"
#include "formats/gguf_model_writer.h"

namespace slm::cli {
namespace {

// <unk>, <s>, </s>, the 256 byte tokens, then "▁tokN" pieces up to `size` entries.
GgufVocab placeholder_vocab(int64_t size) {
  GgufVocab v;
  v.model = "llama";
  v.pre = "default";
  auto add = [&](const std::string& piece, float score, int32_t type) {
    if (static_cast<int64_t>(v.tokens.size()) >= size) return;  // a vocabulary smaller than the fixed tokens
    v.tokens.push_back(piece);
    v.scores.push_back(score);
    v.token_types.push_back(type);
  };
  add("<unk>", 0, 2);
  add("<s>", 0, 3);
  add("</s>", 0, 3);
  for (int b = 0; b < 256; ++b) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "<0x%02X>", b);
    add(hex, 0, 6);
  }
  while (static_cast<int64_t>(v.tokens.size()) < size)
    add("\xE2\x96\x81tok" + std::to_string(v.tokens.size()), -static_cast<float>(v.tokens.size()), 1);
  v.unk_id = 0;
  v.bos_id = 1;
  v.eos_id = 2;
  return v;
}

ModelConfig preset(const std::string& like) {
  ModelConfig c;
  if (like == "qwen3-0.6b") {
    c.family = "qwen3";
    c.vocab_size = 151936, c.hidden_size = 1024, c.intermediate_size = 3072, c.n_layers = 28;
    c.n_heads = 16, c.n_kv_heads = 8, c.head_dim = 128, c.max_positions = 40960;
    c.norm_eps = 1e-6, c.rope_theta = 1e6, c.tied_embeddings = true, c.qk_norm = true;
  } else if (like == "llama-3.2-3b") {
    c.family = "llama";
    c.vocab_size = 128256, c.hidden_size = 3072, c.intermediate_size = 8192, c.n_layers = 28;
    c.n_heads = 24, c.n_kv_heads = 8, c.head_dim = 128, c.max_positions = 131072;
    c.norm_eps = 1e-5, c.rope_theta = 5e5, c.tied_embeddings = true;
    c.rope_scaling.type = RopeScalingType::Llama3;
    c.rope_scaling.factor = 32, c.rope_scaling.low_freq_factor = 1, c.rope_scaling.high_freq_factor = 4;
    c.rope_scaling.original_max_positions = 8192;
  } else if (like == "tiny") {
    // Every matrix dimension a multiple of 256, so each K-quant is used as such (no fallback);
    // llama for the Q/K permutation, untied to have an output matrix of its own.
    c.family = "llama";
    c.vocab_size = 512, c.hidden_size = 256, c.intermediate_size = 512, c.n_layers = 2;
    c.n_heads = 4, c.n_kv_heads = 2, c.head_dim = 64, c.max_positions = 2048;
    c.norm_eps = 1e-5, c.rope_theta = 1e4, c.tied_embeddings = false;
  } else {
    throw Error("unknown --like '" + like + "' (qwen3-0.6b, llama-3.2-3b, tiny)");
  }
  c.bos_token_id = 1;
  c.eos_token_ids = {2};
  return c;
}

std::vector<TensorSpec> tensor_specs(const ModelConfig& c) {
  const int64_t H = c.hidden_size, F = c.intermediate_size, D = c.head_dim;
  const int64_t q_dim = c.n_heads * D, kv_dim = c.n_kv_heads * D;
  std::vector<TensorSpec> t = {{"token_embd.weight", {c.vocab_size, H}}, {"output_norm.weight", {H}}};
  if (!c.tied_embeddings) t.push_back({"output.weight", {c.vocab_size, H}});
  for (int64_t l = 0; l < c.n_layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    t.push_back({p + "attn_norm.weight", {H}});
    t.push_back({p + "attn_q.weight", {q_dim, H}});
    t.push_back({p + "attn_k.weight", {kv_dim, H}});
    t.push_back({p + "attn_v.weight", {kv_dim, H}});
    t.push_back({p + "attn_output.weight", {H, q_dim}});
    if (c.qk_norm) {
      t.push_back({p + "attn_q_norm.weight", {D}});
      t.push_back({p + "attn_k_norm.weight", {D}});
    }
    t.push_back({p + "ffn_norm.weight", {H}});
    t.push_back({p + "ffn_gate.weight", {F, H}});
    t.push_back({p + "ffn_up.weight", {F, H}});
    t.push_back({p + "ffn_down.weight", {H, F}});
  }
  return t;
}

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Approximately normal (sum of four uniforms): cheap enough to fill billions of weights.
float roughly_normal(uint64_t& state) {
  const uint64_t r = splitmix64(state);
  float s = 0;
  for (int k = 0; k < 4; ++k) s += static_cast<float>((r >> (16 * k)) & 0xffff) * (1.0f / 65536.0f);
  return (s - 2.0f) * 1.7320508f;  // unit variance
}

// Each row is generated from (seed, tensor, row) alone, so rows can be produced in any order.
ModelTensorSource random_source(const std::vector<TensorSpec>& specs, uint64_t seed) {
  ModelTensorSource s;
  s.tensors = specs;
  s.read_row = [specs, seed](size_t i, int64_t row, float* dst) {
    const TensorSpec& t = specs[i];
    const int64_t cols = t.shape.back();
    uint64_t state = seed ^ std::hash<std::string>{}(t.name) ^ (static_cast<uint64_t>(row) * 0x2545f4914f6cdd1dull);
    if (t.shape.size() == 1) {  // norm weights around 1
      for (int64_t j = 0; j < cols; ++j) dst[j] = 1.0f + 0.1f * roughly_normal(state);
      return;
    }
    // Variance-preserving matrices; embeddings at unit scale.
    const float scale = t.name == "token_embd.weight" ? 1.0f : 1.0f / std::sqrt(static_cast<float>(cols));
    for (int64_t j = 0; j < cols; ++j) dst[j] = scale * roughly_normal(state);
  };
  return s;
}

int random_model(Args& args) {
  const std::string like = args.option("--like");
  const std::string type = args.option("--type", "F32");
  const uint64_t seed = static_cast<uint64_t>(args.int_option("--seed", 1));
  const int threads = static_cast<int>(args.int_option("--threads", 0));
  const bool quiet = args.flag("--quiet");
  auto pos = args.positionals();
  if (pos.size() != 1 || like.empty())
    throw Error("usage: slm dev random-model --like qwen3-0.6b|llama-3.2-3b|tiny --type SCHEME OUT.gguf");
  const auto scheme = parse_quant_scheme(type);
  if (!scheme) throw Error("unknown --type '" + type + "' (one of " + quant_scheme_names() + ")");
  const ModelConfig config = preset(like);
  ThreadPool pool(threads > 0 ? threads : ThreadPool::default_threads());
  ModelWriteOptions options;
  options.scheme = *scheme;
  options.progress = !quiet;
  options.name = "random " + like;
  // A placeholder SentencePiece-style vocabulary of the model's size, so that other runtimes
  // (llama.cpp) load the file too.
  const GgufVocab vocab = placeholder_vocab(config.vocab_size);
  options.vocab = &vocab;
  write_gguf_model(pos[0], config, random_source(tensor_specs(config), seed), options, pool);
  return 0;
}

int dev_main(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0] != "random-model") throw Error("usage: slm dev random-model --like NAME --type T OUT.gguf");
  Args args(std::vector<std::string>(argv.begin() + 1, argv.end()));
  return random_model(args);
}

CommandRegistration reg("dev", "developer tools (random-model)", dev_main);

}  // namespace
}  // namespace slm::cli
