// slm: run small language models locally. Dispatches to the registered subcommands.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "command.h"
#include "slm/error.h"

namespace slm::cli {
std::map<std::string, Command>& command_table() {
  static std::map<std::string, Command> table;
  return table;
}
}  // namespace slm::cli

static void print_usage() {
  std::fprintf(stderr, "usage: slm COMMAND [ARGS...]\n\ncommands:\n");
  for (const auto& [name, cmd] : slm::cli::command_table())
    std::fprintf(stderr, "  %-12s %s\n", name.c_str(), cmd.summary.c_str());
}

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    print_usage();
    return argc < 2 ? 2 : 0;
  }
  auto& table = slm::cli::command_table();
  auto it = table.find(argv[1]);
  if (it == table.end()) {
    std::fprintf(stderr, "slm: error: unknown command '%s'\n", argv[1]);
    print_usage();
    return 2;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  try {
    return it->second.run(args);
  } catch (const slm::Error& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "slm: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "slm: error: %s\n", e.what());
    return 1;
  }
}
