// Unit tests: mta/core/fdpass — descriptors over a Unix socket.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "mta/core/exitcodes.h"
#include "mta/core/fdpass.h"
#include "socketpair.h"

using Pair = lettershop_test::SocketPair;

TEST_CASE("fdpass: a tag and two descriptors arrive, usable and close-on-exec") {
  Pair s;
  int p[2];
  REQUIRE(::pipe(p) == 0);
  const int fds[] = {p[0], p[1]};
  mta::fdpass::send(s.a.get(), 'Q', fds);
  ::close(p[0]);
  ::close(p[1]);
  auto r = mta::fdpass::receive(s.b.get(), 2);
  REQUIRE(r.has_value());
  CHECK(r->tag == 'Q');
  REQUIRE(r->fds.size() == 2);
  for (const auto& fd : r->fds) CHECK((::fcntl(fd.get(), F_GETFD) & FD_CLOEXEC) != 0);
  REQUIRE(::write(r->fds[1].get(), "hi", 2) == 2);
  char buf[2];
  REQUIRE(::read(r->fds[0].get(), buf, 2) == 2);
  CHECK(std::string(buf, 2) == "hi");
}

TEST_CASE("fdpass: end of input is nullopt, a wrong count is refused and closed") {
  {
    Pair s;
    s.a.reset();
    CHECK_FALSE(mta::fdpass::receive(s.b.get(), 2).has_value());
  }
  {
    Pair s;
    int p[2];
    REQUIRE(::pipe(p) == 0);
    const int one[] = {p[0]};
    mta::fdpass::send(s.a.get(), 'Q', one);
    ::close(p[0]);
    CHECK_THROWS_AS(mta::fdpass::receive(s.b.get(), 2), mta::PermError);
    // The refused descriptor was closed: the pipe has no reader.
    ::signal(SIGPIPE, SIG_IGN);
    CHECK(::write(p[1], "x", 1) == -1);
    ::close(p[1]);
  }
  {
    Pair s;  // a tag without descriptors
    mta::fdpass::send(s.a.get(), 'Q', {});
    CHECK_THROWS_AS(mta::fdpass::receive(s.b.get(), 2), mta::PermError);
  }
}
