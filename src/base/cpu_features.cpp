#include "base/cpu_features.h"

#include <cstdlib>
#include <cstring>

namespace slm {

static CpuFeatures detect() {
  CpuFeatures f;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  f.avx2 = __builtin_cpu_supports("avx2");
  f.fma = __builtin_cpu_supports("fma");
  f.f16c = __builtin_cpu_supports("f16c");
  f.avx512f = __builtin_cpu_supports("avx512f");
  f.avx512bw = __builtin_cpu_supports("avx512bw");
  f.avx512vnni = __builtin_cpu_supports("avx512vnni");
  f.avx512bf16 = __builtin_cpu_supports("avx512bf16");
#endif
  // SLM_SIMD=scalar forces the reference kernels (debugging, and comparing variants end to end).
  if (const char* env = std::getenv("SLM_SIMD"); env && std::strcmp(env, "scalar") == 0) f = CpuFeatures{};
  return f;
}

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = detect();
  return features;
}

}  // namespace slm
