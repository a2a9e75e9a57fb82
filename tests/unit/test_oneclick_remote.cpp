// Unit test for qmail-remote's per-recipient loop (mta/smtp/remote.cpp)
// with one-click copies: with PIPELINING the next copy is rendered while
// the server answers, and a copy that cannot be rendered is still reported
// in its turn, with nothing of it on the wire. A fake SMTP server on
// 127.0.0.1 (a thread) records what it is sent.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/smtp/remote.h"
#include "tmpdir.h"

namespace {

// A one-connection SMTP server that offers PIPELINING, accepts everything
// and keeps each command line and each message it receives.
class FakeServer {
 public:
  FakeServer() {
    listener_.reset(::socket(AF_INET, SOCK_STREAM, 0));
    REQUIRE(listener_);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(listener_.get(), 1) == 0);
    socklen_t n = sizeof a;
    REQUIRE(::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&a), &n) == 0);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeServer() {
    ::shutdown(listener_.get(), SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
  }
  unsigned port() const { return port_; }
  void join() { thread_.join(); }

  std::vector<std::string> commands;
  std::vector<std::string> messages;

 private:
  void serve() {
    mta::io::Fd c(::accept(listener_.get(), nullptr, nullptr));
    if (!c) return;
    auto say = [&](std::string_view s) { mta::io::write_all(c.get(), s); };
    say("220 fake ESMTP\r\n");
    std::string buf, data;
    bool in_data = false;
    char chunk[4096];
    for (;;) {
      std::size_t eol;
      while ((eol = buf.find("\r\n")) != std::string::npos) {
        std::string line = buf.substr(0, eol);
        buf.erase(0, eol + 2);
        if (in_data) {
          if (line == ".") {
            messages.push_back(data);
            data.clear();
            in_data = false;
            say("250 ok\r\n");
          } else {
            data += line + "\n";
          }
          continue;
        }
        commands.push_back(line);
        if (line.starts_with("EHLO")) say("250-fake\r\n250 PIPELINING\r\n");
        else if (line == "DATA") { say("354 go\r\n"); in_data = true; }
        else if (line == "QUIT") { say("221 bye\r\n"); return; }
        else say("250 ok\r\n");
      }
      ssize_t n = ::read(c.get(), chunk, sizeof chunk);
      if (n <= 0) return;
      buf.append(chunk, static_cast<std::size_t>(n));
    }
  }
  mta::io::Fd listener_;
  unsigned port_ = 0;
  std::thread thread_;
};

std::vector<std::string> reports_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0, nul;
  while ((nul = text.find('\0', at)) != std::string::npos) {
    out.push_back(text.substr(at, nul - at));
    at = nul + 1;
  }
  return out;
}

}  // namespace

TEST_CASE("oneclick: qmail-remote renders ahead and reports a failed copy in its turn", "[oneclick]") {
  for (std::size_t broken : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{99}}) {
    INFO("copy that cannot be rendered: " << broken);
    lettershop_test::TempDir dir("oneclick-remote");
    FakeServer server;
    lettershop_test::put(dir.path / "control" / "me", "example.test\n");
    lettershop_test::put(dir.path / "control" / "smtproutes", mta::cat(":127.0.0.1:", std::to_string(server.port()), "\n"));
    lettershop_test::put(dir.path / "msg", "From: a@example.test\n\nbody\n");
    mta::io::Fd msg = mta::io::open_or_throw(dir.path / "msg", O_RDONLY);
    mta::io::Fd out = mta::io::open_or_throw(dir.path / "reports", O_RDWR | O_CREAT | O_TRUNC, 0600);

    mta::remote::Job job{"remote.test", "s@example.test", {"a@remote.test", "b@remote.test", "c@remote.test"}, {}, {}, {}};
    std::vector<std::size_t> rendered;
    job.render = [&](std::size_t i) {
      rendered.push_back(i);
      if (i == broken) throw mta::TempError("no key for this one");
      return mta::remote::Copy{mta::cat("X-Copy: ", std::to_string(i), "\n"), 0};
    };
    mta::io::Writer w(out.get());
    mta::remote::run(mta::Home{dir.path}, job, msg.get(), w);
    w.flush();
    server.join();

    auto reports = reports_of(*mta::io::read_file(dir.path / "reports"));
    REQUIRE(reports.size() == 4);
    std::vector<std::string> want_rcpts, want_messages;
    for (std::size_t i = 0; i < 3; ++i) {
      INFO("recipient " << i);
      if (i == broken) {
        CHECK(reports[i] == "sUnable to render the message: no key for this one (#4.3.0)\n");
        continue;
      }
      CHECK(reports[i] == "r");
      want_rcpts.push_back(mta::cat("RCPT TO:<", job.recipients[i], ">"));
      want_messages.push_back(mta::cat("X-Copy: ", std::to_string(i), "\nFrom: a@example.test\n\nbody\n"));
    }
    CHECK(reports[3].starts_with("K127.0.0.1 accepted message."));
    CHECK(rendered == std::vector<std::size_t>{0, 1, 2});  // each copy rendered once, in order
    std::vector<std::string> rcpts;
    for (const auto& c : server.commands)
      if (c.starts_with("RCPT")) rcpts.push_back(c);
    CHECK(rcpts == want_rcpts);
    CHECK(server.messages == want_messages);
  }
}
