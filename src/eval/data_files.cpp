#include "eval/data_files.h"

#include <filesystem>

#include "slm/error.h"

namespace slm::eval {

namespace fs = std::filesystem;

std::string documents_path(const TaskOptions& options, const std::string& task, const std::string& standard) {
  if (!options.data_file.empty()) return options.data_file;
  if (options.data_dir.empty())
    throw Error("no eval data: pass --data-dir DIR (holding " + task + "/…) or set $SLM_EVAL_DATA, or --data FILE");
  return (fs::path(options.data_dir) / task / standard).string();
}

std::string companion_path(const TaskOptions& options, const std::string& task, const std::string& name) {
  if (!options.data_dir.empty()) return (fs::path(options.data_dir) / task / name).string();
  if (!options.data_file.empty()) return (fs::path(options.data_file).parent_path() / name).string();
  throw Error("no eval data: pass --data-dir DIR or set $SLM_EVAL_DATA");
}

}  // namespace slm::eval
