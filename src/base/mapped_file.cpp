#include "base/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "slm/error.h"

namespace slm {

namespace {

// MemAvailable from /proc/meminfo in bytes (0 when unknown).
size_t available_memory() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  size_t kb = 0;
  while (in >> key >> kb) {
    if (key == "MemAvailable:") return kb * 1024;
    in.ignore(256, '\n');
  }
  return 0;
}

}  // namespace

MappedFile::MappedFile(const std::string& path, Residency residency) : path_(path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw Error(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(path + ": not a regular file");
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ == 0) {
    ::close(fd);
    return;
  }
  // A copy must leave room for everything else: with too little memory, mapping lets the page
  // cache serve the file instead of pushing the machine into swapping or the OOM killer.
  if (residency == Residency::kResident && size_ < available_memory() / 10 * 8) {
    constexpr size_t kHuge = size_t{2} << 20;
    const size_t rounded = (size_ + kHuge - 1) / kHuge * kHuge;
    void* p = ::mmap(nullptr, rounded + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
      auto* aligned = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(p) + kHuge - 1) / kHuge * kHuge);
      // Huge pages for the whole 2 MiB stretches only: a huge page over the file's last partial
      // stretch would make the process up to 2 MiB larger than the file.
      if (const size_t whole = size_ / kHuge * kHuge) ::madvise(aligned, whole, MADV_HUGEPAGE);
#ifdef MADV_POPULATE_WRITE
      // Faulting the pages in up front is several times faster than faulting them one by one
      // inside the reads (older kernels refuse the advice; the reads then fault as usual).
      constexpr size_t kPage = 4096;
      ::madvise(aligned, (size_ + kPage - 1) / kPage * kPage, MADV_POPULATE_WRITE);
#endif
      size_t done = 0;
      while (done < size_) {
        const ssize_t n = ::pread(fd, aligned + done, size_ - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += static_cast<size_t>(n);
      }
      if (done == size_) {
        ::close(fd);
        region_ = p;
        region_size_ = rounded + kHuge;
        data_ = aligned;
        residency_ = Residency::kResident;
        return;
      }
      ::munmap(p, rounded + kHuge);  // a short read: map the file instead
    }
  }
  void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) {
    ::close(fd);
    throw Error(path + ": mmap failed: " + std::strerror(errno));
  }
  ::close(fd);
  region_ = p;
  region_size_ = size_;
  data_ = static_cast<const uint8_t*>(p);
}

MappedFile::~MappedFile() {
  if (region_) ::munmap(region_, region_size_);
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace slm
