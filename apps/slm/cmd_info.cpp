// slm info MODEL [--ctx N] [--kv-type f16|f32] [--json]: architecture, size, dtypes, context and the memory it needs.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "args.h"
#include "base/memory_usage.h"
#include "command.h"
#include "hub/fit.h"
#include "hub/resolver.h"
#include "formats/model_files.h"
#include "model/architecture_summary.h"
#include "model/kv_cache.h"
#include "model/matformer.h"

namespace slm::cli {
namespace {

int info_main(const std::vector<std::string>& argv) {
  Args args(argv);
  const long long ctx_arg = args.int_option("--ctx", 0);
  const bool json_out = args.flag("--json");
  const std::string matformer = args.option("--matformer");
  KVCacheOptions kv;
  kv.dtype = parse_kv_cache_type(args.option("--kv-type", "f16"));
  auto pos = args.positionals();
  if (pos.size() != 1) throw Error("usage: slm info MODEL [--ctx N] [--kv-type f16|f32] [--json]");
  auto files = open_model_files(resolve_model_path(pos[0]));
  if (!matformer.empty()) apply_matformer_slice(*files, read_matformer_slice(matformer));
  const ModelConfig& c = files->config;
  const int64_t ctx = ctx_arg > 0 ? ctx_arg : c.max_positions;
  const size_t weight_bytes = files->weights.total_bytes();
  const size_t kv_bytes = kv_cache_bytes(c, ctx, kv);
  const int64_t params = files->weights.total_params();
  const ArchitectureSummary summary = summarize_architecture(c, files->weights);
  const auto fit = hub::fit_for_local_model(files->hf_dir, c, ctx);

  if (json_out) {
    nlohmann::json j = {
        {"path", files->path}, {"format", files->gguf ? "gguf" : "safetensors"},
        {"architecture", c.architecture}, {"family", c.family}, {"parameters", params},
        {"layers", c.n_layers}, {"hidden_size", c.hidden_size}, {"heads", c.n_heads},
        {"kv_heads", c.n_kv_heads}, {"head_dim", c.head_dim}, {"vocab_size", c.vocab_size},
        {"context_length", c.max_positions}, {"dtypes", files->weights.bytes_by_dtype()},
        {"architecture_details", to_json(summary)},
        {"memory", {{"context", ctx}, {"weights_bytes", weight_bytes}, {"kv_cache_bytes", kv_bytes},
                    {"kv_cache_type", kv.dtype == DType::F16 ? "f16" : "f32"},
                    {"total_bytes", weight_bytes + kv_bytes}}},
        {"fit", nlohmann::json::parse(hub::fit_report_json(fit, files->path))},
    };
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("model:          %s (%s)\n", files->path.c_str(), files->gguf ? "GGUF" : "Hugging Face safetensors");
  std::printf("architecture:   %s (family %s)\n", c.architecture.c_str(), c.family.c_str());
  std::printf("parameters:     %lld (%.3f B)", static_cast<long long>(params), params / 1e9);
  if (summary.effective_parameters != params)
    std::printf(", effective %lld (%.3f B)", static_cast<long long>(summary.effective_parameters),
                summary.effective_parameters / 1e9);
  std::printf("\n");
  std::printf("layers:         %lld, hidden %lld, heads %lld/%lld kv, head_dim %lld, ffn %lld\n",
              static_cast<long long>(c.n_layers), static_cast<long long>(c.hidden_size),
              static_cast<long long>(c.n_heads), static_cast<long long>(c.n_kv_heads),
              static_cast<long long>(c.head_dim), static_cast<long long>(c.intermediate_size));
  for (const auto& feature : summary.features) std::printf("                %s\n", feature.c_str());
  std::printf("vocabulary:     %lld\n", static_cast<long long>(c.vocab_size));
  std::printf("context length: %lld\n", static_cast<long long>(c.max_positions));
  std::printf("dtypes:        ");
  for (const auto& [dt, bytes] : files->weights.bytes_by_dtype()) std::printf(" %s %s", dt.c_str(), format_bytes(bytes).c_str());
  std::printf("\nmemory at context %lld: weights %s + KV cache %s (%s) = %s\n", static_cast<long long>(ctx),
              format_bytes(weight_bytes).c_str(), format_bytes(kv_bytes).c_str(), kv.dtype == DType::F16 ? "f16" : "f32",
              format_bytes(weight_bytes + kv_bytes).c_str());
  std::printf("\nas GGUF quantizations:\n%s", hub::format_fit_report(fit, files->path).c_str());
  return 0;
}

CommandRegistration reg("info", "describe a model and the memory it needs", info_main);

}  // namespace
}  // namespace slm::cli
