#include "base/cpu_features.h"

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace slm {

#if defined(__x86_64__)
// AMX needs the CPU flags and, on Linux, a per-process request for the 8 KiB tile state
// (arch_prctl ARCH_REQ_XCOMP_PERM for XFEATURE_XTILEDATA); without it the first tile
// instruction faults.
static bool detect_amx_bf16() {
  unsigned a, b, c, d;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const bool amx_bf16 = d & (1u << 22), amx_tile = d & (1u << 24);
  if (!amx_bf16 || !amx_tile) return false;
  constexpr long kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
  return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
}
#endif

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
#if defined(__x86_64__)
  f.amx_bf16 = f.avx512bf16 && f.avx512bw && detect_amx_bf16();
#endif
  // SLM_SIMD=scalar forces the reference kernels (debugging, and comparing variants end to end);
  // SLM_SIMD=noamx keeps the vector kernels but leaves the AMX tiles unused.
  if (const char* env = std::getenv("SLM_SIMD")) {
    if (std::strcmp(env, "scalar") == 0) f = CpuFeatures{};
    if (std::strcmp(env, "noamx") == 0) f.amx_bf16 = false;
  }
  return f;
}

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = detect();
  return features;
}

}  // namespace slm
