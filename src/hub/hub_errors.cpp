#include "hub/hub_errors.h"

namespace slm::hub {

void check_hub_status(const HttpResponse& r, const std::string& repo_id, const std::string& what,
                      const std::string& endpoint, bool have_token) {
  if (r.status >= 200 && r.status < 400) return;
  const std::string code = r.header("x-error-code");
  const std::string status = "HTTP " + std::to_string(r.status);
  const std::string page = endpoint + "/" + repo_id;
  if (r.status == 401 || r.status == 403 || code == "GatedRepo") {
    std::string msg = repo_id + ": access denied (" + status + ") fetching " + what + ". ";
    if (code == "GatedRepo" || r.status == 403)
      msg += "The repository is gated: accept its license on the model page " + page + ", then ";
    else
      msg += "The repository may be gated or private (or may not exist): if it is gated, accept its license on " +
             page + ", then ";
    msg += have_token ? "check that your token (HF_TOKEN or --token) has read access to it."
                      : "set HF_TOKEN (or pass --token) to an access token from " + endpoint + "/settings/tokens.";
    throw Error(msg);
  }
  if (r.status == 404) {
    std::string kind = "repository or file not found";
    if (code == "RevisionNotFound") kind = "revision not found";
    else if (code == "EntryNotFound") kind = "file not found in the repository";
    else if (code == "RepoNotFound") kind = "repository not found";
    throw Error(repo_id + ": " + kind + " (" + status + ") fetching " + what + " from " + endpoint);
  }
  if (r.status >= 500)
    throw Error(repo_id + ": the Hub at " + endpoint + " failed with " + status + " fetching " + what +
                "; it may be down or overloaded, try again later");
  throw Error(repo_id + ": unexpected " + status + " fetching " + what + " from " + endpoint);
}

}  // namespace slm::hub
