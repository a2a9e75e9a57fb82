// tests/unit/socketpair.h — a connected pair of Unix stream sockets for one
// test, closed afterwards.
#pragma once

#include <sys/socket.h>

#include <catch2/catch.hpp>

#include "mta/core/io.h"

namespace lettershop_test {

struct SocketPair {
  mta::io::Fd a, b;
  SocketPair() {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    a.reset(fds[0]);
    b.reset(fds[1]);
  }
};

}  // namespace lettershop_test
