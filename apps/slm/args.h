#pragma once
// A small, strict argument reader shared by the subcommands.
#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "slm/error.h"

namespace slm::cli {

class Args {
 public:
  explicit Args(std::vector<std::string> args) : args_(std::move(args)) {}

  // True (and consumed) when the flag is present.
  bool flag(const std::string& name) {
    for (size_t i = 0; i < args_.size(); ++i)
      if (args_[i] == name) {
        args_.erase(args_.begin() + i);
        return true;
      }
    return false;
  }
  // The value after `name` (consumed), or `fallback` when absent.
  std::string option(const std::string& name, const std::string& fallback = "") {
    for (size_t i = 0; i < args_.size(); ++i)
      if (args_[i] == name) {
        if (i + 1 >= args_.size()) throw Error("option " + name + " needs a value");
        std::string v = args_[i + 1];
        args_.erase(args_.begin() + i, args_.begin() + i + 2);
        return v;
      }
    return fallback;
  }
  bool has(const std::string& name) const {
    for (const auto& a : args_)
      if (a == name) return true;
    return false;
  }
  long long int_option(const std::string& name, long long fallback);
  double float_option(const std::string& name, double fallback);

  // Remaining positional arguments; rejects unknown flags.
  std::vector<std::string> positionals() const;

 private:
  std::vector<std::string> args_;
};

inline long long Args::int_option(const std::string& name, long long fallback) {
  std::string v = option(name);
  if (v.empty()) return fallback;
  try {
    size_t pos = 0;
    long long r = std::stoll(v, &pos);
    if (pos != v.size()) throw std::invalid_argument(v);
    return r;
  } catch (const std::exception&) {
    throw Error("option " + name + ": not an integer: '" + v + "'");
  }
}

inline double Args::float_option(const std::string& name, double fallback) {
  std::string v = option(name);
  if (v.empty()) return fallback;
  try {
    size_t pos = 0;
    double r = std::stod(v, &pos);
    if (pos != v.size()) throw std::invalid_argument(v);
    return r;
  } catch (const std::exception&) {
    throw Error("option " + name + ": not a number: '" + v + "'");
  }
}

inline std::vector<std::string> Args::positionals() const {
  std::vector<std::string> out;
  for (const auto& a : args_) {
    if (a.size() > 1 && a[0] == '-' && a != "-") throw Error("unknown option " + a);
    out.push_back(a);
  }
  return out;
}

}  // namespace slm::cli

namespace slm::cli {

// "1,2,3" -> {1, 2, 3}; throws naming the bad entry.
inline std::vector<int32_t> parse_id_list(const std::string& s) {
  std::vector<int32_t> ids;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    std::string item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    try {
      size_t pos = 0;
      long long v = std::stoll(item, &pos);
      if (pos != item.size() || v < 0 || v > INT32_MAX) throw std::invalid_argument(item);
      ids.push_back(static_cast<int32_t>(v));
    } catch (const std::exception&) {
      throw Error("invalid token id '" + item + "' in '" + s + "'");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return ids;
}

}  // namespace slm::cli
