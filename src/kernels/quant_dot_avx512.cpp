#include "kernels/quant_dot.h"

namespace slm::kernels {

const QuantDotKernels* quant_dot_avx512() { return nullptr; }

}  // namespace slm::kernels
