#include "hub/model_ref.h"

#include <cctype>
#include <filesystem>

#include "slm/error.h"

namespace slm::hub {
namespace {

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

bool is_valid_repo_id(const std::string& id) {
  const size_t slash = id.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == id.size()) return false;
  if (id.find('/', slash + 1) != std::string::npos) return false;
  for (char c : id)
    if (c != '/' && !is_name_char(c)) return false;
  // The Hub forbids "--" and ".." in names, and a leading or trailing '-' or '.'.
  if (id.find("--") != std::string::npos || id.find("..") != std::string::npos) return false;
  for (const std::string& part : {id.substr(0, slash), id.substr(slash + 1)})
    if (part.front() == '-' || part.front() == '.' || part.back() == '-' || part.back() == '.') return false;
  return true;
}

std::string ModelRef::display() const {
  if (local) return path;
  std::string s = repo_id;
  if (!quant.empty()) s += ":" + quant;
  if (revision != "main") s += "@" + revision;
  return s;
}

ModelRef parse_model_ref(const std::string& text) {
  ModelRef ref;
  ref.path = text;
  if (text.empty()) throw Error("empty model reference");
  std::error_code ec;
  if (std::filesystem::exists(text, ec) || text[0] == '/' || text[0] == '.' || text[0] == '~' ||
      ends_with(text, ".gguf") || text.find('/') == std::string::npos)
    return ref;

  // org/name, then ":QUANT" and "@revision" in either order.
  std::string rest = text;
  std::string repo, quant, revision;
  size_t cut = rest.find_first_of(":@");
  repo = rest.substr(0, cut);
  while (cut != std::string::npos) {
    const char kind = rest[cut];
    const size_t next = rest.find_first_of(kind == '@' ? ":" : "@", cut + 1);
    std::string value = rest.substr(cut + 1, next == std::string::npos ? std::string::npos : next - cut - 1);
    if (value.empty()) throw Error("model reference '" + text + "': empty " + (kind == '@' ? "revision" : "quantization"));
    (kind == '@' ? revision : quant) = value;
    cut = next;
  }
  if (!is_valid_repo_id(repo)) return ref;  // not a Hub id: let the loader report the missing path
  ref.local = false;
  ref.repo_id = repo;
  ref.quant = quant;
  if (!revision.empty()) ref.revision = revision;
  return ref;
}

}  // namespace slm::hub
