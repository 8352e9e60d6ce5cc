#include "eval/results_store.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "slm/error.h"

namespace slm::eval {

ResultsStore::ResultsStore(const std::string& path, bool resume, const std::string& task, const std::string& variant) {
  if (path.empty()) return;
  std::string kept;  // the complete lines of the existing file
  if (resume && std::filesystem::exists(path)) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string content = ss.str();
    size_t begin = 0;
    while (begin < content.size()) {
      const size_t end = content.find('\n', begin);
      if (end == std::string::npos) break;  // torn last line: its document runs again
      const std::string line = content.substr(begin, end - begin);
      begin = end + 1;
      if (line.empty()) continue;
      nlohmann::ordered_json record;
      try {
        record = nlohmann::ordered_json::parse(line);
      } catch (const std::exception&) {
        break;  // a damaged line ends what can be trusted
      }
      if (record.value("task", "") != task || record.value("variant", "") != variant)
        throw Error(path + " holds results of " + record.value("task", "?") + "/" + record.value("variant", "?") +
                    ", not " + task + "/" + variant + ": use another --out");
      const std::string id = record.at("doc_id").get<std::string>();
      if (done_.insert(id).second) records_.push_back(std::move(record));
      kept += line + "\n";
    }
    resumed_ = records_.size();
  }
  // Rewrite with the trusted lines only, then append.
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_) throw Error("cannot write " + path);
  std::fwrite(kept.data(), 1, kept.size(), file_);
  std::fflush(file_);
}

ResultsStore::~ResultsStore() {
  if (file_) std::fclose(file_);
}

void ResultsStore::append(nlohmann::ordered_json record) {
  const std::string id = record.at("doc_id").get<std::string>();
  if (file_) {
    const std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fflush(file_);
  }
  done_.insert(id);
  records_.push_back(std::move(record));
}

}  // namespace slm::eval
