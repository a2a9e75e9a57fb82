#include "mta/core/fdpass.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "mta/core/exitcodes.h"

namespace mta::fdpass {

namespace {
// Room for more descriptors than any request carries, so that a request
// with too many is seen (and its descriptors closed) instead of truncated.
constexpr std::size_t max_fds = 8;
}  // namespace

void send(int socket, char tag, std::span<const int> fds) {
  if (fds.size() > max_fds) throw PermError("too many descriptors to pass");
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * max_fds)] = {};
  iovec iov{&tag, 1};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (!fds.empty()) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  for (;;) {
    ssize_t n = ::sendmsg(socket, &msg, MSG_NOSIGNAL);
    if (n == 1) return;
    if (n == -1 && errno == EINTR) continue;
    throw_errno("unable to pass descriptors");
  }
}

std::optional<Received> receive(int socket, std::size_t expected) {
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * max_fds)];
  Received r;
  iovec iov{&r.tag, 1};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do n = ::recvmsg(socket, &msg, MSG_CMSG_CLOEXEC);
  while (n == -1 && errno == EINTR);
  if (n == -1) throw_errno("unable to receive descriptors");
  // Take ownership of every descriptor first, so that none leaks whatever
  // the verdict on the request.
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      r.fds.emplace_back(fd);
    }
  }
  if (n == 0 && r.fds.empty()) return std::nullopt;
  if (n != 1 || (msg.msg_flags & MSG_CTRUNC) || r.fds.size() != expected)
    throw PermError("malformed descriptor request");
  return r;
}

}  // namespace mta::fdpass
