#pragma once
// Where a task's files are: an explicit documents file, or the standard layout under a data
// directory (`<dir>/<task>/test.jsonl`, …, as in the eval fixtures).
#include <string>

#include "eval/task.h"

namespace slm::eval {

// The documents file: options.data_file when given, else <data_dir>/<task>/<standard>.
std::string documents_path(const TaskOptions& options, const std::string& task, const std::string& standard);
// A file the task needs besides its documents (few-shot exemplars): <data_dir>/<task>/<name>, or
// next to the explicit documents file when no data directory is given.
std::string companion_path(const TaskOptions& options, const std::string& task, const std::string& name);

}  // namespace slm::eval
