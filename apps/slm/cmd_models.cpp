// slm models [NAME] [--json]: the built-in catalog of seed models with their Hub ids.
#include <cstdio>

#include "args.h"
#include "command.h"
#include "hub/catalog.h"

namespace slm::cli {
namespace {

std::string features(const hub::CatalogEntry& e) {
  std::string s;
  for (auto [on, name] : {std::pair{e.thinking, "thinking"}, {e.tools, "tools"}, {e.vision, "vision"}, {e.audio, "audio"}})
    if (on) s += (s.empty() ? "" : ",") + std::string(name);
  return s.empty() ? "text" : s;
}

int models_main(const std::vector<std::string>& argv) {
  Args args(argv);
  const bool json_out = args.flag("--json");
  auto pos = args.positionals();
  if (pos.size() > 1) throw Error("usage: slm models [NAME] [--json]");
  if (pos.size() == 1) {
    const auto* e = hub::find_catalog_entry(pos[0]);
    if (!e) throw Error("'" + pos[0] + "' is not in the catalog; `slm models` lists it");
    if (json_out) {
      std::printf("%s\n", e->raw.dump(2).c_str());
      return 0;
    }
    const std::string note = e->raw.value("parameters_note", "");
    std::printf("%s\n  Hub (safetensors): %s\n  Hub (GGUF):        %s\n  architecture:      %s\n  parameters:        %s%s\n"
                "  context:           %lld\n  license:           %s%s\n  features:          %s\n  best for:          %s\n",
                e->name.c_str(), e->hf_id.c_str(), e->gguf_id.empty() ? "-" : e->gguf_id.c_str(),
                e->raw.value("architecture", "").c_str(), e->parameters.c_str(), note.empty() ? "" : (" (" + note + ")").c_str(),
                static_cast<long long>(e->context), e->license.c_str(),
                e->gated ? " (gated: accept the license on the model page, then set HF_TOKEN)" : "", features(*e).c_str(),
                e->best_for.c_str());
    if (!e->unverified.empty()) {
      std::printf("  unverified:       ");
      for (const auto& u : e->unverified) std::printf(" %s", u.c_str());
      std::printf("\n");
    }
    std::printf("\n  slm fit %s\n  slm pull %s\n", e->hf_id.c_str(), e->hf_id.c_str());
    if (!e->gguf_id.empty()) std::printf("  slm pull %s:Q4_K_M\n", e->gguf_id.c_str());
    return 0;
  }
  if (json_out) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& e : hub::catalog()) arr.push_back(e.raw);
    std::printf("%s\n", arr.dump(2).c_str());
    return 0;
  }
  std::printf("%-30s %-43s %6s %8s  %-22s %s\n", "NAME", "HUB ID", "PARAMS", "CONTEXT", "FEATURES", "LICENSE");
  for (const auto& e : hub::catalog())
    std::printf("%-30s %-43s %6s %8lld  %-22s %s%s\n", e.name.c_str(), e.hf_id.c_str(), e.parameters.c_str(),
                static_cast<long long>(e.context), features(e).c_str(), e.license.c_str(), e.gated ? " (gated)" : "");
  std::printf("\n`slm models NAME` for details; `slm fit HUB_ID` for memory; `slm pull HUB_ID` to download.\n");
  return 0;
}

CommandRegistration reg("models", "the built-in catalog of recommended small models", models_main);

}  // namespace
}  // namespace slm::cli
