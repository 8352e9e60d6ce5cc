#pragma once
// Aggregate statistics of per-item scores.
#include <cstdint>
#include <vector>

namespace slm::eval {

struct MeanWithError {
  double mean = 0;
  double stderr_of_mean = 0;  // sample standard deviation / sqrt(n), as the harness reports
  int64_t n = 0;
};

MeanWithError mean_with_error(const std::vector<double>& values);

// Unbiased pass@k for one problem with n samples of which c passed: 1 - C(n-c, k) / C(n, k),
// as the product 1 - prod_{i=n-c+1}^{n} (1 - k/i); 1 when n - c < k.
double pass_at_k(int64_t n, int64_t c, int64_t k);

}  // namespace slm::eval
