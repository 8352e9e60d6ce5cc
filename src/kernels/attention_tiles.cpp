#include "kernels/attention_tiles.h"

namespace slm::kernels {

const AttentionTiles& attention_tiles_best() {
  static const AttentionTiles& best = [&]() -> const AttentionTiles& {
    if (const auto* t = attention_tiles_avx512()) return *t;
    if (const auto* t = attention_tiles_avx2()) return *t;
    return attention_tiles_scalar();
  }();
  return best;
}

}  // namespace slm::kernels
