#include "eval/tasks.h"
#include "slm/error.h"

namespace slm::eval {

std::vector<std::string> task_variants(const std::string& name) {
  if (name == "gsm8k") return {"gsm8k_cot", "gsm8k_cot_zeroshot", "gsm8k_cot_chat", "gsm8k_cot_llama"};
  if (name == "arc_challenge") return {"arc_challenge", "arc_challenge_chat"};
  if (name == "mmlu_pro") return {"mmlu_pro", "mmlu_pro_chat"};
  if (name == "humaneval") return {"humaneval", "humaneval_instruct"};
  return {};
}

std::unique_ptr<Task> make_task(const std::string& name, const TaskOptions& options) {
  const auto variants = task_variants(name);
  if (variants.empty()) throw Error("unknown task '" + name + "' (gsm8k, arc_challenge, mmlu_pro, humaneval)");
  TaskOptions resolved = options;
  if (resolved.variant.empty()) resolved.variant = variants.front();
  bool known = false;
  std::string list;
  for (const auto& v : variants) {
    known |= v == resolved.variant;
    list += (list.empty() ? "" : ", ") + v;
  }
  if (!known) throw Error("unknown variant '" + resolved.variant + "' of " + name + " (" + list + ")");
  if (name == "gsm8k") return make_gsm8k_task(resolved);
  if (name == "arc_challenge") return make_arc_challenge_task(resolved);
  if (name == "mmlu_pro") return make_mmlu_pro_task(resolved);
  return make_humaneval_task(resolved);
}

}  // namespace slm::eval
