#pragma once
// What the CPU can run, read once. Kernels pick their variant from this at start-up.
namespace slm {

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vnni = false;
  bool avx512bf16 = false;
  // AMX tiles with bf16 products, and the kernel's permission to use their register state.
  bool amx_bf16 = false;
};

const CpuFeatures& cpu_features();

}  // namespace slm
