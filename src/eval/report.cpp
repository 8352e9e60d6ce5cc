#include "eval/report.h"

#include <cstdio>
#include <map>

namespace slm::eval {

std::vector<MetricSummary> summarise(const std::vector<nlohmann::ordered_json>& records) {
  // Keeps first-seen metric order, groups sorted after the overall rows.
  std::vector<std::string> metric_order;
  std::map<std::string, std::vector<double>> overall;
  std::map<std::string, std::map<std::string, std::vector<double>>> by_group;
  for (const auto& r : records) {
    const std::string group = r.value("group", "");
    for (const auto& [name, value] : r.at("metrics").items()) {
      if (!overall.count(name)) metric_order.push_back(name);
      overall[name].push_back(value.get<double>());
      if (!group.empty()) by_group[group][name].push_back(value.get<double>());
    }
  }
  std::vector<MetricSummary> out;
  for (const auto& m : metric_order) out.push_back({m, "", mean_with_error(overall[m])});
  for (const auto& [group, metrics] : by_group)
    for (const auto& m : metric_order)
      if (metrics.count(m)) out.push_back({m, group, mean_with_error(metrics.at(m))});
  return out;
}

std::string format_table(const ReportContext& c, const std::vector<MetricSummary>& summary) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%s / %s: %s\n", c.task.c_str(), c.variant.c_str(), c.protocol.c_str());
  out += line;
  std::snprintf(line, sizeof line, "model %s, weights %s, %.1f s (* = the headline metric)\n", c.model.c_str(),
                c.dtype.c_str(), c.seconds);
  out += line;
  std::snprintf(line, sizeof line, "| %-20s | %-30s | %-18s | %8s | %8s | %6s |\n", "variant", "metric", "group",
                "score", "stderr", "n");
  out += line;
  out += "|" + std::string(22, '-') + "|" + std::string(32, '-') + "|" + std::string(20, '-') + "|" +
         std::string(10, '-') + "|" + std::string(10, '-') + "|" + std::string(8, '-') + "|\n";
  for (const auto& s : summary) {
    std::snprintf(line, sizeof line, "| %-20s | %-30s | %-18s | %8.4f | %8.4f | %6lld |%s\n", c.variant.c_str(),
                  s.metric.c_str(), s.group.empty() ? "all" : s.group.c_str(), s.value.mean, s.value.stderr_of_mean,
                  static_cast<long long>(s.value.n), s.metric == c.primary_metric && s.group.empty() ? " *" : "");
    out += line;
  }
  for (const auto& w : c.warnings) out += "warning: " + w + "\n";
  return out;
}

nlohmann::ordered_json summary_json(const ReportContext& c, const std::vector<MetricSummary>& summary) {
  nlohmann::ordered_json j;
  j["task"] = c.task;
  j["variant"] = c.variant;
  j["protocol"] = c.protocol;
  j["model"] = c.model;
  j["dtype"] = c.dtype;
  j["seconds"] = c.seconds;
  j["primary_metric"] = c.primary_metric;
  nlohmann::ordered_json metrics = nlohmann::ordered_json::object();
  nlohmann::ordered_json groups = nlohmann::ordered_json::object();
  for (const auto& s : summary) {
    nlohmann::ordered_json v = {{"score", s.value.mean}, {"stderr", s.value.stderr_of_mean}, {"n", s.value.n}};
    if (s.group.empty()) metrics[s.metric] = v;
    else groups[s.group][s.metric] = v;
  }
  j["metrics"] = metrics;
  if (!groups.empty()) j["groups"] = groups;
  j["warnings"] = c.warnings;
  return j;
}

}  // namespace slm::eval
