#include "eval/jsonl.h"

#include <fstream>

#include "slm/error.h"

namespace slm::eval {

std::vector<nlohmann::ordered_json> read_jsonl(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path);
  std::vector<nlohmann::ordered_json> rows;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      rows.push_back(nlohmann::ordered_json::parse(line));
    } catch (const std::exception& e) {
      throw Error(path + ":" + std::to_string(number) + ": " + e.what());
    }
  }
  return rows;
}

}  // namespace slm::eval
