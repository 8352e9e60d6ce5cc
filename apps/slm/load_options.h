#pragma once
// The loading flags every model-running command shares: --threads K, --mmap, --kv-type f16|f32.
#include "args.h"
#include "engine/engine.h"
#include "model/kv_cache.h"

namespace slm::cli {

inline LoadOptions parse_load_options(Args& args) {
  LoadOptions load;
  load.threads = static_cast<int>(args.int_option("--threads", 0));
  load.mmap = args.flag("--mmap");
  load.kv_type = parse_kv_cache_type(args.option("--kv-type", "f16"));
  return load;
}

}  // namespace slm::cli
