#pragma once
// The built-in catalog of seed models (data/models.json, compiled in): what each is, its Hub ids
// (Transformers checkpoint and a common GGUF repository) and what it is good for.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace slm::hub {

struct CatalogEntry {
  std::string name;       // short name, e.g. "qwen3-0.6b"
  std::string hf_id;      // "Qwen/Qwen3-0.6B"
  std::string gguf_id;    // "unsloth/Qwen3-0.6B-GGUF" ("" when none is listed)
  std::string parameters; // as the model card states it, e.g. "0.6B"
  int64_t context = 0;    // trained context length (tokens)
  std::string license;    // SPDX-like id or the model's own license name ("gemma", "llama3.2")
  bool gated = false;     // the Hub asks to accept the license before downloading
  std::string best_for;
  bool thinking = false, tools = false, vision = false, audio = false;
  std::vector<std::string> unverified;  // fields not confirmed from a published source
  nlohmann::json raw;
};

// Parsed once from the embedded data; throws slm::Error if the data is malformed.
const std::vector<CatalogEntry>& catalog();
// By short name or either Hub id (case-insensitive); nullptr when unknown.
const CatalogEntry* find_catalog_entry(const std::string& key);
// The entry whose GGUF repository is `repo_id`; nullptr when none.
const CatalogEntry* find_catalog_entry_by_gguf_repo(const std::string& repo_id);

}  // namespace slm::hub
