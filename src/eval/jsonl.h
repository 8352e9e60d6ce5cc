#pragma once
// JSON Lines files: one object per line.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace slm::eval {

// Every non-blank line parsed; throws slm::Error naming the file and line on a bad one.
std::vector<nlohmann::ordered_json> read_jsonl(const std::string& path);

}  // namespace slm::eval
