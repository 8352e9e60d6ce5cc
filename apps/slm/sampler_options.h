#pragma once
// The sampling flags shared by the generating subcommands:
// --temp T --top-k K --top-p P --min-p P --repeat-penalty R --seed S (random when absent).
#include <random>

#include "args.h"
#include "sample/sampler.h"

namespace slm::cli {

inline SamplerConfig read_sampler_options(Args& args, double default_temperature) {
  SamplerConfig s;
  s.temperature = static_cast<float>(args.float_option("--temp", default_temperature));
  s.top_k = static_cast<int>(args.int_option("--top-k", 40));
  s.top_p = static_cast<float>(args.float_option("--top-p", 0.95));
  s.min_p = static_cast<float>(args.float_option("--min-p", 0.05));
  s.repetition_penalty = static_cast<float>(args.float_option("--repeat-penalty", 1.0));
  const long long seed = args.int_option("--seed", -1);
  s.seed = seed >= 0 ? static_cast<uint64_t>(seed) : std::random_device{}();
  return s;
}

}  // namespace slm::cli
