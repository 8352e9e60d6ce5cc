// The probe finds a connection's socket by its endpoints and sees the peer hang up.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "serve/connection_probe.h"

namespace slm::serve {
namespace {

int port_of(int fd, bool peer) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len) : getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

TEST(ServeConnectionProbe, SeesThePeerClose) {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(listener, 1), 0);
  addr.sin_port = htons(static_cast<uint16_t>(port_of(listener, false)));
  int client = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  int server_side = accept(listener, nullptr, nullptr);
  ASSERT_GE(server_side, 0);

  ConnectionProbe probe("127.0.0.1", port_of(server_side, false), "127.0.0.1", port_of(server_side, true));
  EXPECT_FALSE(probe.peer_closed());
  ConnectionProbe unknown("127.0.0.1", 1, "127.0.0.1", 2);
  EXPECT_FALSE(unknown.peer_closed());
  close(client);
  bool closed = false;
  for (int i = 0; i < 100 && !closed; ++i) {
    closed = probe.peer_closed();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(closed);
  close(server_side);
  close(listener);
}

}  // namespace
}  // namespace slm::serve
