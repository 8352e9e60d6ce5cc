#pragma once
// The summary of a run: every metric's mean and standard error over the scored documents
// (per group too, e.g. MMLU-Pro categories), as a table for people and as JSON.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/metrics.h"

namespace slm::eval {

struct MetricSummary {
  std::string metric;
  std::string group;  // "" = all documents
  MeanWithError value;
};

struct ReportContext {
  std::string task, variant, protocol, primary_metric;
  std::string model, dtype;  // model path and weight dtypes ("responses file" when scoring saved outputs)
  double seconds = 0;
  std::vector<std::string> warnings;
};

// Means over the records' metrics; a metric missing from some records (pass@k with k > n)
// is summarised over those that have it.
std::vector<MetricSummary> summarise(const std::vector<nlohmann::ordered_json>& records);

std::string format_table(const ReportContext& context, const std::vector<MetricSummary>& summary);
nlohmann::ordered_json summary_json(const ReportContext& context, const std::vector<MetricSummary>& summary);

}  // namespace slm::eval
