#include "formats/quantize_weights.h"

#include "tensor/quant/quant.h"

namespace slm {

void quantize_weights(WeightStore& weights, const ModelConfig& config, QuantScheme scheme, ThreadPool& pool) {
  const bool has_output = weights.has("output.weight");
  for (const auto& name : weights.names()) {
    const Tensor* t = weights.find(name);
    if (!t || !t->data) continue;
    const DType type = tensor_type_for(scheme, {name, t->shape, config.n_layers, has_output});
    if (type == t->dtype || t->shape.size() < 2) continue;
    const Tensor src = *t;
    const int64_t rows = src.rows(), cols = src.cols();
    const size_t src_row = dtype_bytes(src.dtype, cols), dst_row = dtype_bytes(type, cols);
    std::vector<uint8_t> bytes(dst_row * rows);
    pool.parallel_for(static_cast<size_t>(rows), [&](size_t begin, size_t end, int) {
      std::vector<float> row(cols);
      for (size_t r = begin; r < end; ++r) {
        quant::dequantize_row(src.dtype, static_cast<const uint8_t*>(src.data) + r * src_row, row.data(), cols);
        quant::quantize_row(type, row.data(), bytes.data() + r * dst_row, cols);
      }
    });
    weights.put_owned(name, type, src.shape, std::move(bytes),
                      weights.origin(name) + " (quantized to " + dtype_name(type) + ")");
  }
}

}  // namespace slm
