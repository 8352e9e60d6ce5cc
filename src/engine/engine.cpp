#include "engine/engine.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "formats/gguf_vocab_reader.h"
#include "formats/interleave_weights.h"
#include "model/matformer.h"
#include "formats/quantize_weights.h"
#include "slm/error.h"

namespace slm {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::unique_ptr<Tokenizer> load_model_tokenizer(const ModelFiles& files) {
  if (files.gguf) {
    if (!files.gguf->has("tokenizer.ggml.tokens")) return nullptr;
    return Tokenizer::from_gguf_vocab(read_gguf_vocab(*files.gguf));
  }
  if (std::filesystem::exists(std::filesystem::path(files.hf_dir) / "tokenizer.json"))
    return Tokenizer::from_hf_dir(files.hf_dir);
  return nullptr;
}

}  // namespace

std::unique_ptr<Engine> Engine::load(const std::string& path, const LoadOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  auto e = std::unique_ptr<Engine>(new Engine());
  e->pool_ = std::make_unique<ThreadPool>(options.threads > 0 ? options.threads : ThreadPool::default_threads());
  // Weights that are converted at load are read once: a mapping serves that best.
  const bool in_place = options.quant.empty() && options.matformer.empty() && !options.mmap;
  auto files = open_model_files(path, in_place ? Residency::kResident : Residency::kMapped);
  if (!options.matformer.empty()) apply_matformer_slice(*files, read_matformer_slice(options.matformer));
  if (!options.quant.empty()) {
    const auto scheme = parse_quant_scheme(options.quant);
    if (!scheme) throw Error("unknown quantization '" + options.quant + "' (one of " + quant_scheme_names() + ")");
    quantize_weights(files->weights, files->config, *scheme, *e->pool_);
  }
  interleave_for_decode(files->weights, *e->pool_);
  e->model_ = std::make_unique<Transformer>(std::move(files));
  e->tokenizer_ = load_model_tokenizer(e->model_->files());
  e->stop_ids_ = e->config().eos_token_ids;
  if (e->tokenizer_)
    if (auto eos = e->tokenizer_->eos_id())
      if (std::find(e->stop_ids_.begin(), e->stop_ids_.end(), *eos) == e->stop_ids_.end())
        e->stop_ids_.push_back(*eos);
  e->kv_options_.dtype = options.kv_type;
  e->load_seconds_ = seconds_since(t0);
  return e;
}

const Tokenizer& Engine::require_tokenizer() const {
  if (!tokenizer_) throw Error(model_->files().path + ": the model has no tokenizer; pass token ids with --ids");
  return *tokenizer_;
}

int64_t default_context(const ModelConfig& config, int64_t cap) {
  return std::min<int64_t>(config.max_positions > 0 ? config.max_positions : cap, cap);
}

Session::Session(Engine& engine, int64_t context)
    : engine_(engine), cache_(engine.config(), context, engine.kv_cache_options()) {}

void Session::reset() {
  cache_.rollback(0);
  cached_.clear();
}

GenerationResult Session::generate(std::span<const int32_t> prompt, const GenerateOptions& options,
                                   const std::function<bool(int32_t)>& on_token) {
  if (prompt.empty()) throw Error("empty prompt: at least one token is needed");
  if (static_cast<int64_t>(prompt.size()) > cache_.capacity())
    throw Error("prompt of " + std::to_string(prompt.size()) + " tokens does not fit the context of " +
                std::to_string(cache_.capacity()));
  const int64_t V = engine_.config().vocab_size;
  GenerationResult r;

  // Reuse the common prefix, but always run at least the last prompt token to get its logits.
  size_t keep = 0;
  while (keep < cached_.size() && keep < prompt.size() && cached_[keep] == prompt[keep]) ++keep;
  if (options.keep_prompt_logits) keep = 0;  // every position's logits are wanted
  else if (keep == prompt.size()) --keep;    // re-run the last token for its logits
  keep = static_cast<size_t>(cache_.rollback(static_cast<int64_t>(keep)));
  cached_.resize(keep);
  r.prompt_tokens_reused = static_cast<int64_t>(keep);

  auto t0 = std::chrono::steady_clock::now();
  const auto fresh = prompt.subspan(keep);
  engine_.model().forward(fresh, cache_, scratch_, engine_.pool(), options.keep_prompt_logits);
  cached_.insert(cached_.end(), fresh.begin(), fresh.end());
  cache_.checkpoint();  // a turn boundary: recurrent layers can resume a follow-up from here
  r.prompt_tokens_processed = static_cast<int64_t>(fresh.size());
  if (options.keep_prompt_logits)
    r.prompt_logits.assign(scratch_.logits.begin(), scratch_.logits.begin() + fresh.size() * V);
  r.prompt_seconds = seconds_since(t0);

  t0 = std::chrono::steady_clock::now();
  Sampler sampler(options.sampler);
  std::vector<int32_t> history(prompt.begin(), prompt.end());
  const float* logits = scratch_.logits.data() + (options.keep_prompt_logits ? (fresh.size() - 1) * V : 0);
  const auto& stops = engine_.stop_ids();
  r.finish_reason = "length";
  for (int i = 0; i < options.max_tokens; ++i) {
    const int32_t next = sampler.sample(std::span<const float>(logits, V), history);
    if (options.stop_at_eos && std::find(stops.begin(), stops.end(), next) != stops.end()) {
      r.finish_reason = "stop";
      break;
    }
    r.ids.push_back(next);
    history.push_back(next);
    if (on_token && !on_token(next)) {
      r.finish_reason = "stop";
      break;
    }
    if (i + 1 == options.max_tokens) break;
    if (cache_.size() >= cache_.capacity()) break;  // context full: "length"
    const int32_t tok[1] = {next};
    engine_.model().forward(tok, cache_, scratch_, engine_.pool(), false);
    cached_.push_back(next);
    logits = scratch_.logits.data();
  }
  r.generate_seconds = seconds_since(t0);
  return r;
}

}  // namespace slm
