#include "hub/hub_settings.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <string_view>

namespace slm::hub {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string expand_home(const std::string& path) {
  if (path.empty() || path[0] != '~') return path;
  return env("HOME") + path.substr(1);
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

}  // namespace

bool env_flag_is_true(const char* value) {
  if (!value) return false;
  std::string v(value);
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::toupper(c); });
  return v == "1" || v == "ON" || v == "YES" || v == "TRUE";
}

HubSettings HubSettings::from_env() {
  HubSettings s;
  s.endpoint = env("HF_ENDPOINT");
  if (s.endpoint.empty()) s.endpoint = "https://huggingface.co";
  while (!s.endpoint.empty() && s.endpoint.back() == '/') s.endpoint.pop_back();

  std::string hf_home = env("HF_HOME");
  if (hf_home.empty()) {
    std::string xdg = env("XDG_CACHE_HOME");
    hf_home = (xdg.empty() ? std::string("~/.cache") : xdg) + "/huggingface";
  }
  hf_home = expand_home(hf_home);
  s.cache_dir = env("HF_HUB_CACHE");
  if (s.cache_dir.empty()) s.cache_dir = env("HUGGINGFACE_HUB_CACHE");  // older name, still honoured
  if (s.cache_dir.empty()) s.cache_dir = hf_home + "/hub";
  s.cache_dir = expand_home(s.cache_dir);

  s.token = env("HF_TOKEN");
  if (s.token.empty()) {
    std::string token_path = env("HF_TOKEN_PATH");
    if (token_path.empty()) token_path = hf_home + "/token";
    std::ifstream in(expand_home(token_path));
    if (in) std::getline(in, s.token);
  }
  s.token = trim(s.token);

  s.offline = env_flag_is_true(std::getenv("HF_HUB_OFFLINE"));
  if (const char* stall = std::getenv("SLM_HUB_STALL_SECONDS")) s.stall_seconds = std::max(1, std::atoi(stall));
  return s;
}

}  // namespace slm::hub
