// slm serve MODEL [--host 127.0.0.1] [--port 8080] [--api-key KEY] [--parallel N] [--ctx N]
//                 [--queue N] [--threads K] [--max-body BYTES] [--model-id NAME] [--chat-template FILE]
// An OpenAI-compatible HTTP server: /v1/chat/completions, /v1/completions, /v1/models, /health.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <thread>

#include "args.h"
#include "load_options.h"
#include "command.h"
#include "engine/engine.h"
#include "serve/http_server.h"

namespace slm::cli {
namespace {

int serve_main(const std::vector<std::string>& argv) {
  Args args(argv);
  serve::ServerOptions o;
  o.host = args.option("--host", "127.0.0.1");
  o.port = static_cast<int>(args.int_option("--port", 8080));
  o.api_key = args.option("--api-key");
  if (o.api_key.empty())
    if (const char* env = std::getenv("SLM_API_KEY")) o.api_key = env;
  o.parallel = static_cast<int>(args.int_option("--parallel", 4));
  o.context = args.int_option("--ctx", 0);
  o.max_queue = static_cast<size_t>(args.int_option("--queue", 64));
  o.max_body_bytes = static_cast<size_t>(args.int_option("--max-body", 8 << 20));
  o.model_id = args.option("--model-id");
  o.chat_template_file = args.option("--chat-template");
  LoadOptions load = parse_load_options(args);
  auto pos = args.positionals();
  if (pos.size() != 1)
    throw Error("usage: slm serve MODEL [--host H] [--port P] [--api-key KEY] [--parallel N] [--ctx N] [--queue N]");
  if (o.port < 0 || o.port > 65535) throw Error("--port must be 0..65535");
  if (o.parallel < 1 || o.parallel > 256) throw Error("--parallel must be 1..256");
  if (o.context < 0) throw Error("--ctx must be positive");
  if (o.max_queue < 1) throw Error("--queue must be at least 1");

  // SIGINT/SIGTERM are taken by one watcher thread (sigwait) rather than a handler, so the
  // shutdown runs outside signal context; every thread started later inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto engine = Engine::load(pos[0], load);
  serve::ServerContext ctx(*engine, pos[0], o);
  serve::HttpServer server(ctx);
  const int port = server.bind();
  std::fprintf(stderr, "slm serve: %s on http://%s:%d (%d slots x %lld tokens, tools: %s%s%s)\n", ctx.model_id.c_str(),
               o.host.c_str(), port, ctx.scheduler->parallel(), static_cast<long long>(ctx.scheduler->context()),
               tool_call_format_name(ctx.tool_format), ctx.reasoning_model ? ", reasoning" : "",
               ctx.chat_template ? "" : ", no chat template");
  std::printf("listening on %d\n", port);  // a line for scripts that start the server on port 0
  std::fflush(stdout);
  std::thread watcher([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    if (sig != 0) server.stop();
  });
  server.run();
  // Stopped by a signal (the watcher has returned) or by a listen failure (wake the watcher).
  pthread_kill(watcher.native_handle(), SIGTERM);
  watcher.join();
  return 0;
}

CommandRegistration reg{"serve", "OpenAI-compatible HTTP server", serve_main};

}  // namespace
}  // namespace slm::cli
