#pragma once
// Process memory figures for reports.
#include <cstddef>
#include <string>

namespace slm {

double peak_rss_mb();                       // high-water resident set size of this process
std::string format_bytes(size_t bytes);      // "1.23 GiB", "512 MiB", "900 B"

}  // namespace slm
