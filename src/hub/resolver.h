#pragma once
// MODEL arguments of the CLI: a local path is returned unchanged; a Hub id is looked up in the
// cache and, when missing (and not offline), downloaded first.
#include <optional>
#include <string>

#include "hub/hub_settings.h"
#include "hub/model_ref.h"

namespace slm {

// The path Engine::load / open_model_files should open for `ref`.
std::string resolve_model_path(const std::string& ref);

namespace hub {

// The cached model for a Hub reference, complete (config and every weight file, or every part of
// the GGUF), without touching the network; nullopt when not (fully) cached.
std::optional<std::string> find_cached_model(const ModelRef& ref, const HubSettings& settings);

}  // namespace hub
}  // namespace slm
