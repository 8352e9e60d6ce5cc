#pragma once
// The built-in tasks; make_task() picks one by name.
#include <memory>

#include "eval/task.h"

namespace slm::eval {

std::unique_ptr<Task> make_gsm8k_task(const TaskOptions& options);
std::unique_ptr<Task> make_arc_challenge_task(const TaskOptions& options);
std::unique_ptr<Task> make_mmlu_pro_task(const TaskOptions& options);
std::unique_ptr<Task> make_humaneval_task(const TaskOptions& options);

}  // namespace slm::eval
