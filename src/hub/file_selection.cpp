#include "hub/file_selection.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <set>

#include "slm/error.h"

namespace slm::hub {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string base_name(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool is_gguf(const std::string& path) { return ends_with(lower(path), ".gguf"); }
bool is_projector(const std::string& path) { return lower(base_name(path)).find("mmproj") != std::string::npos; }

// "dir/name-00002-of-00003.gguf" -> "dir/name.gguf"; other names unchanged.
std::string split_group(const std::string& path) {
  static const std::regex part(R"(-\d{5}-of-\d{5}(\.gguf)$)", std::regex::icase);
  return std::regex_replace(path, part, "$1");
}

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The tag occurs in the file name with no letter, digit or '_' on either side.
bool name_has_tag(const std::string& path, const std::string& tag) {
  const std::string name = lower(base_name(path)), t = lower(tag);
  for (size_t at = name.find(t); at != std::string::npos; at = name.find(t, at + 1)) {
    const bool left_ok = at == 0 || !word_char(name[at - 1]);
    const size_t end = at + t.size();
    const bool right_ok = end == name.size() || !word_char(name[end]);
    if (left_ok && right_ok) return true;
  }
  return false;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

}  // namespace

bool is_needed_hf_file(const std::string& p) {
  if (p.find('/') != std::string::npos) return false;
  static const std::set<std::string> names = {
      "config.json",      "generation_config.json",  "tokenizer.json",      "tokenizer_config.json",
      "special_tokens_map.json", "chat_template.jinja", "model.safetensors.index.json"};
  return names.count(p) > 0 || ends_with(p, ".safetensors");
}

std::vector<std::string> select_hf_files(const std::vector<std::string>& repo_files) {
  std::vector<std::string> out;
  for (const auto& f : repo_files)
    if (is_needed_hf_file(f)) out.push_back(f);
  std::sort(out.begin(), out.end());
  return out;
}

bool is_gguf_repo(const std::vector<std::string>& repo_files) {
  bool has_gguf = false, has_safetensors = false;
  for (const auto& f : repo_files) {
    has_gguf |= is_gguf(f);
    has_safetensors |= f.find('/') == std::string::npos && ends_with(f, ".safetensors");
  }
  return has_gguf && !has_safetensors;
}

std::string gguf_quant_tag(const std::string& file_name) {
  static const std::regex tag(
      R"((?:^|[^A-Za-z0-9])((?:UD-)?(?:I?Q[1-8]_(?:K_[A-Z]+|K|[01]|NL|XXS|XS|S|M|L)|Q[1-8]_K_XL|TQ[12]_0|MXFP4(?:_MOE)?|BF16|F16|F32))(?:[^A-Za-z0-9_]|$))",
      std::regex::icase);
  std::smatch m;
  const std::string name = split_group(base_name(file_name));
  if (!std::regex_search(name, m, tag)) return "";
  std::string t = m[1].str();
  for (auto& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return t;
}

std::vector<std::string> gguf_quant_tags(const std::vector<std::string>& repo_files) {
  std::set<std::string> tags;
  for (const auto& f : repo_files)
    if (is_gguf(f) && !is_projector(f))
      if (auto t = gguf_quant_tag(f); !t.empty()) tags.insert(t);
  return {tags.begin(), tags.end()};
}

std::vector<std::string> select_gguf_files(const std::vector<std::string>& repo_files, const std::string& quant,
                                           const std::string& repo_label) {
  std::map<std::string, std::vector<std::string>> groups;  // split group -> parts
  for (const auto& f : repo_files)
    if (is_gguf(f) && !is_projector(f)) groups[split_group(f)].push_back(f);
  if (groups.empty()) throw Error(repo_label + ": the repository has no .gguf files");

  std::string wanted = quant;
  if (wanted.empty()) {
    if (groups.size() == 1) {
      auto parts = groups.begin()->second;
      std::sort(parts.begin(), parts.end());
      return parts;
    }
    bool has_default = false;
    for (const auto& [g, parts] : groups) has_default |= name_has_tag(g, "Q4_K_M");
    if (!has_default)
      throw Error(repo_label + " has several GGUF files; name one quantization as " + repo_label +
                  ":TAG, available: " + join(gguf_quant_tags(repo_files), ", "));
    wanted = "Q4_K_M";
  }

  std::vector<std::string> matches;
  for (const auto& [g, parts] : groups)
    if (name_has_tag(g, wanted)) matches.push_back(g);
  if (matches.empty())
    throw Error(repo_label + ": no GGUF file for quantization " + wanted + "; available: " +
                join(gguf_quant_tags(repo_files), ", "));
  std::sort(matches.begin(), matches.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  if (matches.size() > 1 && matches[0].size() == matches[1].size())
    throw Error(repo_label + ": quantization " + wanted + " matches several files: " + join(matches, ", ") +
                "; download one by its exact tag or path");
  auto parts = groups[matches[0]];
  std::sort(parts.begin(), parts.end());
  return parts;
}

}  // namespace slm::hub
