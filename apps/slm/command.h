#pragma once
// Subcommands register themselves here; main.cpp dispatches by name.
// Each subcommand lives in its own file: `static CommandRegistration reg{"run", "…", run_main};`
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace slm::cli {

using CommandFn = std::function<int(const std::vector<std::string>& args)>;

struct Command {
  std::string summary;
  CommandFn run;
};

std::map<std::string, Command>& command_table();

struct CommandRegistration {
  CommandRegistration(const std::string& name, const std::string& summary, CommandFn fn) {
    command_table()[name] = Command{summary, std::move(fn)};
  }
};

}  // namespace slm::cli
