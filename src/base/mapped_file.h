#pragma once
// A read-only memory map of a whole file. Weights are used in place from it.
#include <cstddef>
#include <cstdint>
#include <string>

namespace slm {

class MappedFile {
 public:
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Reads a whole file into a string; throws slm::Error naming the path on failure.
std::string read_text_file(const std::string& path);

}  // namespace slm
