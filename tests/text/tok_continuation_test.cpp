// Text generated after a prompt decodes as it reads inside the whole text (no stripped space,
// no split UTF-8 sequence at the boundary).
#include <gtest/gtest.h>

#include "test_support.h"
#include "text/load_tokenizer.h"

namespace slm {
namespace {

TEST(TokContinuation, EqualsTheTailOfTheWholeDecode) {
  for (const char* dir : {"models/stories260k", "tokenizers/gemma3", "tokenizers/llama2", "tokenizers/qwen3"}) {
    auto tok = load_tokenizer(test::fixture(dir));
    for (std::string text : {"Once upon a time, there was a cat.", "Zürich 🙂 日本語 and more  spaces",
                             "a\n\nb  c"}) {
      auto ids = tok->encode(text, true);
      for (size_t cut = 1; cut < ids.size(); ++cut) {
        std::span<const int32_t> all(ids), head = all.first(cut), tail = all.subspan(cut);
        const std::string whole = tok->decode(ids, true), prefix = tok->decode(head, true);
        // A cut inside a byte-fallback UTF-8 sequence has no clean text boundary: nothing to compare.
        if (whole.compare(0, prefix.size(), prefix) != 0) continue;
        EXPECT_EQ(decode_continuation(*tok, head, tail), whole.substr(prefix.size())) << dir << " cut " << cut;
      }
    }
  }
}

}  // namespace
}  // namespace slm
