#pragma once
// Sandbox bounds: a chat template is untrusted input, so every render is capped in
// recursion, loop work and output size, and fails with slm::Error past a cap.
#include <cstddef>
#include <cstdint>

namespace slm::jinja {

struct Limits {
  int max_call_depth = 200;                // nested macro calls (recursion)
  int64_t max_loop_iterations = 1000000;   // loop iterations over a whole render
  size_t max_output_bytes = 16u << 20;     // rendered text, and any single string built
  int64_t max_range = 100000;              // items one range() may produce (as Jinja's sandbox)
  // Bytes of strings and lists built over a whole render: stops quadratic growth
  // (`{% set ns.s = ns.s ~ x %}` in a long loop) that stays under the other caps.
  size_t max_copy_bytes = size_t{256} << 20;
};

}  // namespace slm::jinja
