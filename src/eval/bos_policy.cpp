#include "eval/bos_policy.h"

#include "slm/error.h"

namespace slm::eval {

BosPolicy parse_bos_policy(const std::string& text) {
  if (text == "auto") return BosPolicy::tokenizer;
  if (text == "off") return BosPolicy::never;
  if (text == "on") return BosPolicy::always;
  throw Error("--bos takes auto, on or off, not '" + text + "'");
}

std::string bos_policy_name(BosPolicy policy) {
  switch (policy) {
    case BosPolicy::tokenizer: return "auto";
    case BosPolicy::never: return "off";
    case BosPolicy::always: return "on";
  }
  return "?";
}

std::vector<int32_t> encode_completion(const Tokenizer& tok, std::string_view text, BosPolicy policy) {
  if (policy == BosPolicy::tokenizer) return tok.encode(text, true);
  std::vector<int32_t> ids = tok.encode(text, false);
  if (policy == BosPolicy::always)
    if (auto bos = tok.bos_id(); bos && (ids.empty() || ids.front() != *bos)) ids.insert(ids.begin(), *bos);
  return ids;
}

}  // namespace slm::eval
