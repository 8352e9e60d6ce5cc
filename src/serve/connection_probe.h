#pragma once
// Tells whether the client of a request has hung up while its non-streaming reply is still
// being generated. cpp-httplib does not hand out the connection's socket, so the probe finds it
// among the process's descriptors by its two endpoints (Linux), then polls it for the peer's
// close without reading anything.
#include <optional>
#include <string>

namespace slm::serve {

class ConnectionProbe {
 public:
  ConnectionProbe(const std::string& local_addr, int local_port, const std::string& remote_addr, int remote_port);
  // True once the peer has closed the connection (false when the socket was not found).
  bool peer_closed() const;

 private:
  std::optional<int> fd_;
};

}  // namespace slm::serve
