#pragma once
// Where the Hub is and where its files are cached, read from the same environment variables
// huggingface_hub reads, so slm and transformers share one cache.
#include <string>

namespace slm::hub {

struct HubSettings {
  std::string endpoint;   // HF_ENDPOINT, default https://huggingface.co (no trailing slash)
  std::string cache_dir;  // HF_HUB_CACHE > HUGGINGFACE_HUB_CACHE > HF_HOME/hub > XDG_CACHE_HOME/huggingface/hub
  std::string token;      // HF_TOKEN, else the token file huggingface-cli login writes (HF_HOME/token)
  bool offline = false;   // HF_HUB_OFFLINE: use the cache only
  int threads = 4;        // parallel file downloads
  int stall_seconds = 30; // a transfer slower than 1 B/s for this long is dropped (SLM_HUB_STALL_SECONDS)

  static HubSettings from_env();
};

// "1", "ON", "YES", "TRUE" in any case, as huggingface_hub parses boolean variables.
bool env_flag_is_true(const char* value);

}  // namespace slm::hub
