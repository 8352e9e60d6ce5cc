#pragma once
// Hands response pieces from the scheduler thread to the connection thread writing them.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>

namespace slm::serve {

class EventChannel {
 public:
  enum class Pop { kItem, kTimeout, kClosed };

  void push(std::string item) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      items_.push_back(std::move(item));
    }
    ready_.notify_one();
  }
  void close() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closed_ = true;
    }
    ready_.notify_one();
  }
  Pop pop(std::string& out, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!ready_.wait_for(lock, timeout, [&] { return !items_.empty() || closed_; })) return Pop::kTimeout;
    if (items_.empty()) return Pop::kClosed;
    out = std::move(items_.front());
    items_.pop_front();
    return Pop::kItem;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::string> items_;
  bool closed_ = false;
};

}  // namespace slm::serve
