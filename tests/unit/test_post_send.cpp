// Unit tests: ezmlm-send's early, bounded DMARC look-up (post_dmarc.h,
// mta::dns::Resolver::start_txt and Timing).
//
// A loopback UDP DNS server in a thread answers TXT queries from a table
// and can drop the first N datagrams, so the retry after a lost answer and
// the give-up after silence are tested against the real resolver. The
// answers are built by hand from RFC 1035 4.1 (header, question copied,
// one TXT RR with a compression pointer to the question name).
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ezmlm/lib/post_dmarc.h"
#include "mta/core/dns.h"
#include "mta/core/exitcodes.h"

using namespace ezmlm::post;

namespace {

// Records the hints and answers from a table, like test_ezmlm_post's fake.
class HintDns : public TxtLookup {
 public:
  std::map<std::string, std::vector<std::string>> records;
  std::vector<std::string> started, asked;
  std::optional<std::vector<std::string>> txt(std::string_view name) override {
    asked.emplace_back(name);
    auto it = records.find(std::string(name));
    if (it == records.end()) return std::nullopt;
    return it->second;
  }
  void start(std::string_view name) override { started.emplace_back(name); }
};

// A UDP DNS server on 127.0.0.1 (a free port): TXT answers from `txt`,
// NXDOMAIN for other names; the first `drop` datagrams are not answered.
class LoopbackDns {
 public:
  std::map<std::string, std::string> txt;  // query name (lower case) -> one TXT string
  std::atomic<int> drop{0};
  std::atomic<int> received{0};

  LoopbackDns() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
  }
  ~LoopbackDns() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  void run() { thread_ = std::thread([this] { serve(); }); }
  unsigned port() const { return port_; }
  mta::dns::Server server() const {
    return mta::dns::Server{*mta::dns::IpAddress::parse("127.0.0.1"), port_};
  }

 private:
  int fd_ = -1;
  unsigned port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;

  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      unsigned char q[512];
      sockaddr_in from{};
      socklen_t flen = sizeof from;
      ssize_t n = ::recvfrom(fd_, q, sizeof q, 0, reinterpret_cast<sockaddr*>(&from), &flen);
      if (n < 17) continue;
      ++received;
      if (drop > 0) {
        --drop;
        continue;
      }
      std::string reply = answer(q, static_cast<std::size_t>(n));
      if (!reply.empty())
        ::sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), flen);
    }
  }

  // The reply to query q: its ID and question, one TXT RR or NXDOMAIN.
  std::string answer(const unsigned char* q, std::size_t n) const {
    std::size_t i = 12;
    std::string name;
    while (i < n && q[i] != 0) {
      std::size_t len = q[i];
      if (i + 1 + len > n) return {};
      if (!name.empty()) name += '.';
      for (std::size_t k = 0; k < len; ++k) name += static_cast<char>(std::tolower(q[i + 1 + k]));
      i += 1 + len;
    }
    std::size_t question_end = i + 5;  // the root label, QTYPE, QCLASS
    if (question_end > n) return {};
    auto it = txt.find(name);
    std::string r(reinterpret_cast<const char*>(q), 2);  // ID
    r += it == txt.end() ? std::string("\x81\x83", 2) : std::string("\x81\x80", 2);  // QR RD RA, rcode
    r += std::string("\0\1", 2);                                                      // QDCOUNT 1
    r += it == txt.end() ? std::string("\0\0", 2) : std::string("\0\1", 2);           // ANCOUNT
    r += std::string(4, '\0');                                                        // NS, AR
    r.append(reinterpret_cast<const char*>(q + 12), question_end - 12);
    if (it != txt.end()) {
      const std::string& text = it->second;
      r += std::string("\xc0\x0c\0\x10\0\x01\0\0\0\x3c", 10);  // name ptr, TXT, IN, TTL 60
      std::size_t rdlen = text.size() + 1;
      r += static_cast<char>(rdlen >> 8);
      r += static_cast<char>(rdlen & 0xff);
      r += static_cast<char>(text.size());
      r += text;
    }
    return r;
  }
};

// DNSCACHEIP for one test, put back afterwards.
class DnsCacheIp {
 public:
  explicit DnsCacheIp(const std::string& value) {
    if (const char* v = std::getenv("DNSCACHEIP")) old_ = v;
    ::setenv("DNSCACHEIP", value.c_str(), 1);
  }
  ~DnsCacheIp() {
    if (old_) ::setenv("DNSCACHEIP", old_->c_str(), 1);
    else ::unsetenv("DNSCACHEIP");
  }

 private:
  std::optional<std::string> old_;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("prefetch_dmarc starts exactly the queries dmarc_policy makes", "[post_send]") {
  struct Row { const char* domain; std::vector<std::string> names; };
  const Row rows[] = {
      {"", {}},
      {"[192.0.2.1]", {}},
      {"localhost", {"_dmarc.localhost"}},
      {"Example.ORG.", {"_dmarc.example.org"}},
      {"mail.Example.net", {"_dmarc.mail.example.net", "_dmarc.example.net"}},
      {"a.b.example.com", {"_dmarc.a.b.example.com", "_dmarc.example.com"}},
  };
  for (const auto& row : rows) {
    INFO("domain " << row.domain);
    HintDns dns;
    prefetch_dmarc(row.domain, dns);
    CHECK(dns.started == row.names);
    CHECK(dmarc_policy(row.domain, dns) == DmarcPolicy::none);
    CHECK(dns.asked == row.names);  // no record anywhere: every name asked, in that order
  }
  HintDns dns;
  dns.records["_dmarc.mail.example.net"] = {"v=DMARC1; p=reject"};
  prefetch_dmarc("mail.example.net", dns);
  CHECK(dmarc_policy("mail.example.net", dns) == DmarcPolicy::reject);
  CHECK(dns.asked == std::vector<std::string>{"_dmarc.mail.example.net"});  // the fallback's answer unused
}

TEST_CASE("start_txt: the answer of an early query is collected by txt()", "[post_send]") {
  LoopbackDns server;
  server.txt["_dmarc.one.test"] = "v=DMARC1; p=reject";
  server.txt["_dmarc.two.test"] = "v=DMARC1; p=none";
  server.run();
  mta::dns::Resolver r({server.server()}, mta::dns::Resolver::Timing{250, 3});
  r.start_txt("_dmarc.one.test");
  r.start_txt("_dmarc.two.test");
  r.start_txt("_dmarc.missing.test");
  CHECK(r.txt("_dmarc.two.test") == std::vector<std::string>{"v=DMARC1; p=none"});
  CHECK(r.txt("_dmarc.one.test") == std::vector<std::string>{"v=DMARC1; p=reject"});
  CHECK_THROWS_AS(r.txt("_dmarc.missing.test"), mta::dns::Error);
  CHECK(server.received == 3);  // each name asked once: txt() took the pending answers
  // A name nobody started is asked then; one started and never collected
  // is harmless (dropped with the resolver).
  CHECK(r.txt("_dmarc.one.test").size() == 1);
  CHECK(server.received == 4);
  r.start_txt("_dmarc.two.test");
}

TEST_CASE("ezmlm-send's DMARC look-up: a lost answer costs one short retry, silence is 111", "[post_send]") {
  SECTION("the first datagram is lost: answered by the retry, well before c-ares' default 2 s") {
    LoopbackDns server;
    server.txt["_dmarc.strict.test"] = "v=DMARC1; p=reject";
    server.drop = 1;
    server.run();
    DnsCacheIp env("127.0.0.1:" + std::to_string(server.port()));
    auto dns = system_txt_lookup("DNS lookup failed");
    auto t0 = std::chrono::steady_clock::now();
    prefetch_dmarc("strict.test", *dns);
    CHECK(dmarc_policy("strict.test", *dns) == DmarcPolicy::reject);
    CHECK(server.received == 2);
    CHECK(seconds_since(t0) < 1.5);  // the retry came after 250 ms, not 2 s
  }
  SECTION("no answer at all: TempError after the three short tries") {
    LoopbackDns server;
    server.drop = 1000;
    server.run();
    DnsCacheIp env("127.0.0.1:" + std::to_string(server.port()));
    auto dns = system_txt_lookup("DNS lookup failed");
    auto t0 = std::chrono::steady_clock::now();
    prefetch_dmarc("silent.test", *dns);
    CHECK_THROWS_AS(dmarc_policy("silent.test", *dns), mta::TempError);
    CHECK(server.received == 3);
    CHECK(seconds_since(t0) < 5);  // 0.25 + 0.5 + 1 s, against 14 s with the defaults
  }
  SECTION("NXDOMAIN is no policy, not a failure") {
    LoopbackDns server;
    server.run();
    DnsCacheIp env("127.0.0.1:" + std::to_string(server.port()));
    auto dns = system_txt_lookup("DNS lookup failed");
    prefetch_dmarc("sub.nowhere.test", *dns);
    CHECK(dmarc_policy("sub.nowhere.test", *dns) == DmarcPolicy::none);
    CHECK(server.received == 2);  // both names, sent at once
  }
}
