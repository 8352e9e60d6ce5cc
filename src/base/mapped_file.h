#pragma once
// A whole file, read-only, in memory: mapped from the page cache, or copied into the process's
// own memory (backed by 2 MiB pages where the kernel allows), where reading it through once per
// token is faster: the hardware prefetchers stop at every 4 KiB page boundary of a mapping and
// each page costs a TLB walk, and the memory cannot be reclaimed from under the model.
#include <cstddef>
#include <cstdint>
#include <string>

namespace slm {

enum class Residency {
  kMapped,    // mmap: instant to open, pages shared with the page cache
  kResident,  // read into anonymous huge-page memory (falls back to a mapping when it cannot)
};

class MappedFile {
 public:
  explicit MappedFile(const std::string& path, Residency residency = Residency::kMapped);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }
  Residency residency() const { return residency_; }
  // The bytes, writable, when they are the process's own copy (kResident); else nullptr.
  uint8_t* own_data() { return residency_ == Residency::kResident ? const_cast<uint8_t*>(data_) : nullptr; }

 private:
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  Residency residency_ = Residency::kMapped;
  void* region_ = nullptr;  // what to munmap
  size_t region_size_ = 0;
};

// Reads a whole file into a string; throws slm::Error naming the path on failure.
std::string read_text_file(const std::string& path);

}  // namespace slm
