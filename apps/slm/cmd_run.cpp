// slm run MODEL (-p PROMPT | --ids 1,2,3) [-n N] [--temp T] [--top-k K] [--top-p P] [--min-p P]
//         [--repeat-penalty R] [--seed S] [--threads K] [--ctx N] [--json] [--dump-logits] [--ignore-eos]
//         [--chat [--system S] [--think|--no-think]]
//         [--quant Q8_0|Q4_0|Q4_K_M|Q5_K_M|Q6_K] (quantize in memory at load)
#include <cstdio>
#include <nlohmann/json.hpp>

#include "args.h"
#include "load_options.h"
#include "sampler_options.h"
#include "command.h"
#include "hub/resolver.h"
#include "engine/engine.h"
#include "engine/model_chat_template.h"

namespace slm::cli {
namespace {

int run_main(const std::vector<std::string>& argv) {
  Args args(argv);
  const std::string prompt = args.option("-p", args.option("--prompt"));
  const std::string ids_arg = args.option("--ids");
  const int max_tokens = static_cast<int>(args.int_option("-n", 128));
  const bool json_out = args.flag("--json");
  const bool dump_logits = args.flag("--dump-logits");
  const bool ignore_eos = args.flag("--ignore-eos");
  const bool no_special = args.flag("--no-special");
  const bool chat = args.flag("--chat");
  const std::string system = args.option("--system");
  const bool think = args.flag("--think"), no_think = args.flag("--no-think");
  GenerateOptions opts;
  opts.max_tokens = max_tokens;
  opts.stop_at_eos = !ignore_eos;
  opts.keep_prompt_logits = dump_logits;
  opts.sampler = read_sampler_options(args, 0.8);
  LoadOptions load = parse_load_options(args);
  load.matformer = args.option("--matformer");
  load.quant = args.option("--quant");
  const long long ctx_arg = args.int_option("--ctx", 0);
  auto pos = args.positionals();
  if (pos.size() != 1) throw Error("usage: slm run MODEL (-p PROMPT | --ids 1,2,3) [-n N] [--temp T] [--seed S]");
  if (prompt.empty() == ids_arg.empty()) throw Error("give exactly one of -p PROMPT or --ids 1,2,3");
  if (max_tokens < 0) throw Error("-n must be >= 0");

  auto engine = Engine::load(resolve_model_path(pos[0]), load);
  if (chat && !ids_arg.empty()) throw Error("--chat formats a text prompt: use -p, not --ids");
  std::vector<int32_t> prompt_ids;
  if (chat) {
    // One-shot chat: the prompt as a user message through the model's own template.
    auto tmpl = find_model_chat_template(*engine);
    if (!tmpl) throw Error(pos[0] + ": --chat needs a chat template and the model has none");
    nlohmann::ordered_json messages = nlohmann::ordered_json::array();
    if (!system.empty()) messages.push_back({{"role", "system"}, {"content", system}});
    messages.push_back({{"role", "user"}, {"content", prompt}});
    nlohmann::ordered_json extra = nlohmann::ordered_json::object();
    if (think || no_think) extra["enable_thinking"] = think;
    prompt_ids = engine->require_tokenizer().encode(tmpl->apply(messages, nullptr, true, extra), false);
  } else {
    prompt_ids = ids_arg.empty() ? engine->require_tokenizer().encode(prompt, !no_special) : parse_id_list(ids_arg);
  }
  const int64_t ctx = ctx_arg > 0 ? ctx_arg
                                  : std::max<int64_t>(default_context(engine->config()),
                                                      std::min<int64_t>(prompt_ids.size() + max_tokens,
                                                                        engine->config().max_positions));
  Session session(*engine, ctx);

  const Tokenizer* tok = engine->tokenizer();
  std::unique_ptr<IncrementalDecoder> stream;
  if (tok && !json_out) {
    stream = std::make_unique<IncrementalDecoder>(*tok, true);
    stream->prime(prompt_ids);
  }
  auto result = session.generate(prompt_ids, opts, [&](int32_t id) {
    if (stream) {
      std::fputs(stream->push(id).c_str(), stdout);
      std::fflush(stdout);
    }
    return true;
  });

  if (!json_out) {
    if (stream) std::fputs(stream->flush().c_str(), stdout);
    else
      for (int32_t id : result.ids) std::printf("%d ", id);
    std::printf("\n");
    std::fprintf(stderr, "[%zu prompt tokens %.1f tok/s, %zu generated %.1f tok/s, finish: %s]\n",
                 prompt_ids.size(), result.prompt_tokens_processed / std::max(result.prompt_seconds, 1e-9),
                 result.ids.size(), result.ids.size() / std::max(result.generate_seconds, 1e-9),
                 result.finish_reason.c_str());
    return 0;
  }

  nlohmann::json out;
  out["prompt_ids"] = prompt_ids;
  out["ids"] = result.ids;
  out["text"] = tok ? decode_continuation(*tok, prompt_ids, result.ids) : "";
  out["finish_reason"] = result.finish_reason;
  out["seed"] = opts.sampler.seed;
  out["timings"] = {
      {"load_s", engine->load_seconds()},
      {"prompt_s", result.prompt_seconds},
      {"generate_s", result.generate_seconds},
      {"prompt_tok_s", result.prompt_tokens_processed / std::max(result.prompt_seconds, 1e-9)},
      {"generate_tok_s", result.ids.size() / std::max(result.generate_seconds, 1e-9)},
  };
  if (dump_logits) {
    const int64_t V = engine->config().vocab_size;
    nlohmann::json rows = nlohmann::json::array();
    for (size_t t = 0; t < prompt_ids.size(); ++t)
      rows.push_back(std::vector<float>(result.prompt_logits.begin() + t * V,
                                        result.prompt_logits.begin() + (t + 1) * V));
    out["logits"] = std::move(rows);
  }
  std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  return 0;
}

CommandRegistration reg("run", "generate text from a prompt", run_main);

}  // namespace
}  // namespace slm::cli
