#pragma once
// The results file: one JSON record per scored document, appended and flushed as each finishes,
// so an interrupted run loses at most the documents in flight. With resume, the records already
// there are kept (a torn last line from a killed run is dropped) and their documents skipped.
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace slm::eval {

class ResultsStore {
 public:
  // `path` "" keeps the records in memory only. Records of another task/variant in a file being
  // resumed are an error (a different run's file).
  ResultsStore(const std::string& path, bool resume, const std::string& task, const std::string& variant);
  ~ResultsStore();
  ResultsStore(const ResultsStore&) = delete;
  ResultsStore& operator=(const ResultsStore&) = delete;

  bool done(const std::string& doc_id) const { return done_.count(doc_id) > 0; }
  size_t resumed() const { return resumed_; }
  void append(nlohmann::ordered_json record);
  const std::vector<nlohmann::ordered_json>& records() const { return records_; }

 private:
  std::FILE* file_ = nullptr;
  std::vector<nlohmann::ordered_json> records_;
  std::set<std::string> done_;
  size_t resumed_ = 0;
};

}  // namespace slm::eval
