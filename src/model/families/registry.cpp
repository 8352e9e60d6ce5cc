#include <algorithm>

#include "model/families/family.h"

namespace slm {

static const std::vector<const Family*>& all_families() {
  static const std::vector<const Family*> families = {&llama_family(), &qwen2_family(), &qwen3_family(),
                                                      &smollm3_family(), &phi3_family(), &gemma3_family(),
                                                      &qwen35_family(), &gemma3n_family()};
  return families;
}

static bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

const Family* find_family_hf(const std::string& model_type, const std::vector<std::string>& architectures) {
  for (const Family* f : all_families())
    if (contains(f->hf_model_types, model_type)) return f;
  for (const Family* f : all_families())
    for (const auto& a : architectures)
      if (contains(f->hf_architectures, a)) return f;
  return nullptr;
}

const Family* find_family_gguf(const std::string& arch) {
  for (const Family* f : all_families())
    if (contains(f->gguf_archs, arch)) return f;
  return nullptr;
}

const Family* find_family_by_name(const std::string& name) {
  for (const Family* f : all_families())
    if (f->name == name) return f;
  return nullptr;
}

std::string known_families() {
  std::string s;
  for (const Family* f : all_families()) s += (s.empty() ? "" : ", ") + f->name;
  return s;
}

}  // namespace slm
