#include "hub/catalog.h"

#include <cctype>
#include <string_view>

#include "slm/error.h"

namespace slm {
std::string_view embedded_catalog_json();  // generated from data/models.json at build time
}

namespace slm::hub {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<CatalogEntry> parse_catalog() {
  std::vector<CatalogEntry> out;
  try {
    const auto j = nlohmann::json::parse(embedded_catalog_json());
    for (const auto& m : j.at("models")) {
      CatalogEntry e;
      e.raw = m;
      e.name = m.at("name").get<std::string>();
      e.hf_id = m.at("hf_id").get<std::string>();
      e.gguf_id = m.value("gguf_id", "");
      e.parameters = m.value("parameters", "");
      e.context = m.value("context_length", int64_t{0});
      e.license = m.value("license", "");
      e.gated = m.value("gated", false);
      e.best_for = m.value("best_for", "");
      const auto& f = m.value("features", nlohmann::json::object());
      e.thinking = f.value("thinking", false);
      e.tools = f.value("tools", false);
      e.vision = f.value("vision", false);
      e.audio = f.value("audio", false);
      e.unverified = m.value("unverified", std::vector<std::string>{});
      out.push_back(std::move(e));
    }
  } catch (const std::exception& e) {
    throw Error(std::string("built-in model catalog (data/models.json) is malformed: ") + e.what());
  }
  return out;
}

}  // namespace

const std::vector<CatalogEntry>& catalog() {
  static const std::vector<CatalogEntry> entries = parse_catalog();
  return entries;
}

const CatalogEntry* find_catalog_entry(const std::string& key) {
  const std::string k = lower(key);
  for (const auto& e : catalog())
    if (lower(e.name) == k || lower(e.hf_id) == k || (!e.gguf_id.empty() && lower(e.gguf_id) == k)) return &e;
  return nullptr;
}

const CatalogEntry* find_catalog_entry_by_gguf_repo(const std::string& repo_id) {
  const std::string k = lower(repo_id);
  for (const auto& e : catalog())
    if (!e.gguf_id.empty() && lower(e.gguf_id) == k) return &e;
  return nullptr;
}

}  // namespace slm::hub
