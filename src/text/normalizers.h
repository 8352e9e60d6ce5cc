#pragma once
// tokenizer.json "normalizer" components. Each rewrites a text segment in place.
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace slm {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void normalize(std::string& text) const = 0;
};

// Throws slm::Error naming `context` and the type for unknown or malformed components.
std::unique_ptr<Normalizer> make_normalizer(const nlohmann::json& j, const std::string& context);

// Building blocks used directly by the GGUF importer.
std::unique_ptr<Normalizer> make_prepend_normalizer(std::string prefix);
std::unique_ptr<Normalizer> make_replace_normalizer(std::string from, std::string to);
std::unique_ptr<Normalizer> make_sequence_normalizer(std::vector<std::unique_ptr<Normalizer>> parts);

}  // namespace slm
