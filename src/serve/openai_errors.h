#pragma once
// Errors in OpenAI's shape: {"error": {"message", "type", "param", "code"}} with an HTTP status.
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace slm::serve {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string type, const std::string& message, std::string param = "", std::string code = "")
      : std::runtime_error(message), status_(status), type_(std::move(type)), param_(std::move(param)),
        code_(std::move(code)) {}
  int status() const { return status_; }
  nlohmann::json to_json() const;

 private:
  int status_;
  std::string type_, param_, code_;
};

// 400 invalid_request_error, naming the offending field.
ApiError invalid_request(const std::string& message, const std::string& param = "", const std::string& code = "");
ApiError not_found(const std::string& message, const std::string& code = "");
ApiError unauthorized();
ApiError server_busy();
ApiError context_exceeded(const std::string& message);

nlohmann::json error_json(int status, const std::string& message, const std::string& type);

}  // namespace slm::serve
