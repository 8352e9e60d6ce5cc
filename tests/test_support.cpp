#include "test_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace slm::test {

static std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string shell_quote(const std::string& s) {
  std::string r = "'";
  for (char c : s) {
    if (c == '\'') r += "'\\''";
    else r += c;
  }
  return r + "'";
}

std::string temp_dir(const std::string& tag) {
  std::string tmpl = (std::filesystem::temp_directory_path() / ("slm-" + tag + "-XXXXXX")).string();
  char* p = mkdtemp(tmpl.data());
  return p ? std::string(p) : std::string();
}

CliResult run_cli(const std::string& args, const std::string& stdin_text) { return run_cli_env("", args, stdin_text); }

CliResult run_cli_env(const std::string& env, const std::string& args, const std::string& stdin_text) {
  std::string dir = temp_dir("cli");
  std::string in = dir + "/stdin", out = dir + "/stdout", err = dir + "/stderr";
  { std::ofstream(in, std::ios::binary) << stdin_text; }
  std::string cmd = (env.empty() ? std::string() : "env " + env + " ") + "timeout 120 " + shell_quote(SLM_CLI_PATH) + " " + args + " <" + in + " >" + out +
                    " 2>" + err;
  int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove_all(dir);
  return r;
}

}  // namespace slm::test
