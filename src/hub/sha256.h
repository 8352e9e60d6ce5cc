#pragma once
// SHA-256 (FIPS 180-4), used to check downloaded LFS files against their Hub etag.
#include <cstddef>
#include <cstdint>
#include <string>

namespace slm::hub {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  std::string hex_digest();  // finalises; call once

 private:
  void compress(const uint8_t* block);
  uint32_t state_[8];
  uint8_t buffer_[64];
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

// Hex digest of a whole file; throws slm::Error when it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace slm::hub
