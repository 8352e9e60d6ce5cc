#include "serve/openai_errors.h"

namespace slm::serve {

nlohmann::json ApiError::to_json() const {
  nlohmann::json e = {{"message", what()}, {"type", type_}, {"param", nullptr}, {"code", nullptr}};
  if (!param_.empty()) e["param"] = param_;
  if (!code_.empty()) e["code"] = code_;
  return {{"error", e}};
}

ApiError invalid_request(const std::string& message, const std::string& param, const std::string& code) {
  return ApiError(400, "invalid_request_error", message, param, code);
}

ApiError not_found(const std::string& message, const std::string& code) {
  return ApiError(404, "invalid_request_error", message, "", code);
}

ApiError unauthorized() {
  return ApiError(401, "invalid_request_error", "Incorrect API key provided.", "", "invalid_api_key");
}

ApiError server_busy() {
  return ApiError(503, "server_error", "The server is busy; too many requests are waiting. Retry later.", "",
                  "server_busy");
}

ApiError context_exceeded(const std::string& message) {
  return ApiError(400, "invalid_request_error", message, "messages", "context_length_exceeded");
}

nlohmann::json error_json(int status, const std::string& message, const std::string& type) {
  return ApiError(status, type, message).to_json();
}

}  // namespace slm::serve
