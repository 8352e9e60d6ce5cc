#include "eval/metrics.h"

#include <cmath>

namespace slm::eval {

MeanWithError mean_with_error(const std::vector<double>& values) {
  MeanWithError r;
  r.n = static_cast<int64_t>(values.size());
  if (r.n == 0) return r;
  double sum = 0;
  for (double v : values) sum += v;
  r.mean = sum / r.n;
  if (r.n > 1) {
    double ss = 0;
    for (double v : values) ss += (v - r.mean) * (v - r.mean);
    r.stderr_of_mean = std::sqrt(ss / (r.n - 1) / r.n);
  }
  return r;
}

double pass_at_k(int64_t n, int64_t c, int64_t k) {
  if (n - c < k) return 1.0;
  double prod = 1.0;
  for (int64_t i = n - c + 1; i <= n; ++i) prod *= 1.0 - static_cast<double>(k) / static_cast<double>(i);
  return 1.0 - prod;
}

}  // namespace slm::eval
