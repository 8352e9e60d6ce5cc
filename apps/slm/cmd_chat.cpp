// slm chat MODEL [--system S] [--think|--no-think] [--show-thinking] [-n N] [--temp T] [--seed S]
//                [--threads K] [--ctx N] [--stats]
// An interactive conversation through the model's own chat template. Lines starting with '/'
// are commands: /reset starts over, /exit (or end of input) leaves.
#include <unistd.h>

#include <cstdio>

#include "args.h"
#include "load_options.h"
#include "sampler_options.h"
#include "command.h"
#include "engine/chat_session.h"
#include "hub/resolver.h"
#include "line_reader.h"

namespace slm::cli {
namespace {

int chat_main(const std::vector<std::string>& argv) {
  Args args(argv);
  ChatOptions opts;
  opts.system = args.option("--system");
  const bool think = args.flag("--think"), no_think = args.flag("--no-think");
  if (think && no_think) throw Error("give at most one of --think and --no-think");
  if (think || no_think) opts.enable_thinking = think;
  const bool show_thinking = args.flag("--show-thinking");
  const bool stats = args.flag("--stats");
  opts.generate.max_tokens = static_cast<int>(args.int_option("-n", 1024));
  opts.generate.sampler = read_sampler_options(args, 0.7);
  LoadOptions load = parse_load_options(args);
  load.matformer = args.option("--matformer");
  const long long ctx_arg = args.int_option("--ctx", 0);
  auto pos = args.positionals();
  if (pos.size() != 1) throw Error("usage: slm chat MODEL [--system S] [--think|--no-think] [--show-thinking]");

  auto engine = Engine::load(resolve_model_path(pos[0]), load);
  ChatSession chat(*engine, opts, ctx_arg > 0 ? ctx_arg : default_context(engine->config()));
  LineReader reader;
  const bool color = isatty(STDOUT_FILENO);
  if (reader.interactive())
    std::printf("slm chat with %s — /reset to start over, /exit or Ctrl-D to leave\n", pos[0].c_str());

  while (auto line = reader.read("> ")) {
    if (*line == "/exit" || *line == "/quit") break;
    if (*line == "/reset") {
      chat.reset();
      continue;
    }
    if (line->empty()) continue;
    bool in_reasoning = false;
    auto turn = chat.send(*line, [&](const ReasoningDelta& d) {
      if (show_thinking && !d.reasoning.empty()) {
        if (!in_reasoning && color) std::fputs("\x1b[2m", stdout);
        in_reasoning = true;
        std::fputs(d.reasoning.c_str(), stdout);
      }
      if (!d.content.empty()) {
        if (in_reasoning) {
          std::fputs(color ? "\x1b[0m\n" : "\n", stdout);
          in_reasoning = false;
        }
        std::fputs(d.content.c_str(), stdout);
      }
      std::fflush(stdout);
    });
    if (in_reasoning && color) std::fputs("\x1b[0m", stdout);
    std::printf("\n");
    std::fflush(stdout);
    if (stats)
      std::fprintf(stderr, "[turn: %lld prompt tokens reused, %lld processed, %zu generated, finish %s]\n",
                   static_cast<long long>(turn.result.prompt_tokens_reused),
                   static_cast<long long>(turn.result.prompt_tokens_processed), turn.result.ids.size(),
                   turn.result.finish_reason.c_str());
  }
  return 0;
}

CommandRegistration reg("chat", "talk with a model through its chat template", chat_main);

}  // namespace
}  // namespace slm::cli
