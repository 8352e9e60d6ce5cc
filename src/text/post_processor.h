#pragma once
// tokenizer.json "post_processor": adds the special tokens of a single sequence.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace slm {

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  virtual void process(std::vector<int32_t>& ids) const = 0;  // only called when add_special is set
  // Ids it puts before / after the sequence (to answer bos_id / adds_bos).
  virtual std::vector<int32_t> prefix() const = 0;
  virtual std::vector<int32_t> suffix() const = 0;
};

std::unique_ptr<PostProcessor> make_post_processor(const nlohmann::json& j, const std::string& context);
// Fixed ids around the sequence (BOS/EOS from tokenizer_config.json or GGUF metadata).
std::unique_ptr<PostProcessor> make_affix_processor(std::vector<int32_t> prefix, std::vector<int32_t> suffix);

}  // namespace slm
