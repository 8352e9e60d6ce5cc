#pragma once
// Turning a failed Hub request into a message that says what to do.
#include <string>

#include "hub/http_client.h"

namespace slm::hub {

// Throws slm::Error for any status outside 2xx/3xx. `what` names the request ("config.json",
// "the file list"); the Hub's X-Error-Code header (GatedRepo, RepoNotFound...) refines the text.
void check_hub_status(const HttpResponse& r, const std::string& repo_id, const std::string& what,
                      const std::string& endpoint, bool have_token);

}  // namespace slm::hub
