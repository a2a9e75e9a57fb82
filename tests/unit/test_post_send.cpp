// Unit tests: ezmlm-send's fast paths — the early, bounded DMARC look-up
// (post_dmarc.h, mta::dns::Resolver::start_txt and Timing), and the
// envelope streamed from the subscriber files as they are
// (SubscriberStore::for_each_record, QueueClient::finish_records).
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

#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/post_dmarc.h"
#include "ezmlm/lib/subdb.h"
#include "mta/core/dns.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/queue_client.h"
#include "tmpdir.h"

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
  SECTION("no answer at all: TempError after five tries, 7.75 s") {
    LoopbackDns server;
    server.drop = 1000;
    server.run();
    DnsCacheIp env("127.0.0.1:" + std::to_string(server.port()));
    auto dns = system_txt_lookup("DNS lookup failed");
    auto t0 = std::chrono::steady_clock::now();
    prefetch_dmarc("silent.test", *dns);
    CHECK_THROWS_AS(dmarc_policy("silent.test", *dns), mta::TempError);
    CHECK(server.received == 5);
    CHECK(seconds_since(t0) < 11);  // 0.25 + 0.5 + 1 + 2 + 4 s, against 14 s with the defaults
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

namespace {

// The records for_each_record hands over, joined, and the records built
// from for_each: they must be byte for byte the same.
std::string joined_records(ezmlm::SubscriberStore& store, std::size_t* calls = nullptr) {
  std::string out;
  store.for_each_record([&](std::string_view run) {
    out += run;
    if (calls) ++*calls;
  });
  return out;
}
std::string records_of_for_each(ezmlm::SubscriberStore& store) {
  std::string out;
  store.for_each([&](std::string_view a) {
    out += 'T';
    out += a;
    out += '\0';
    return true;
  });
  return out;
}

// A store with nothing but for_each: the default for_each_record.
class ListStore : public ezmlm::SubscriberStore {
 public:
  std::vector<std::string> addresses;
  bool contains(std::string_view) override { return false; }
  bool add(std::string_view, std::string_view, std::string_view) override { return false; }
  bool remove(std::string_view, std::string_view, std::string_view) override { return false; }
  void for_each(const std::function<bool(std::string_view)>& f) override {
    for (const auto& a : addresses)
      if (!f(a)) return;
  }
  void create() override {}
  void destroy() override {}
};

}  // namespace

TEST_CASE("for_each_record: the std store's files as envelope records", "[post_send]") {
  // Bucket contents (malformed first), and the records that must come out.
  struct Row { const char* what; std::string file; std::string want; };
  const Row rows[] = {
      {"a last record cut short gets its NUL", std::string("Ta@x\0Tb@x", 9), std::string("Ta@x\0Tb@x\0", 10)},
      {"records of other kinds are left out", std::string("Xjunk\0Ta@x\0Zz\0Tb@x\0", 19),
       std::string("Ta@x\0Tb@x\0", 10)},
      {"empty records are left out", std::string("\0\0Ta@x\0\0", 8), std::string("Ta@x\0", 5)},
      {"a cut-short record of another kind is dropped", std::string("Ta@x\0Xb", 7), std::string("Ta@x\0", 5)},
      {"an empty file", "", ""},
      {"well-formed", std::string("Ta@x\0Tb@y\0", 10), std::string("Ta@x\0Tb@y\0", 10)},
      {"a record longer than one read", "T" + std::string(300000, 'a') + std::string("@x\0Tb@y\0", 8),
       "T" + std::string(300000, 'a') + std::string("@x\0Tb@y\0", 8)},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    lettershop_test::TempDir tmp("recs");
    ezmlm::ListDir dir(tmp.path);
    lettershop_test::put(tmp.path / "subscribers" / "@", "");
    lettershop_test::put(tmp.path / "subscribers" / "C", row.file);
    auto store = ezmlm::open_store(dir, "");
    CHECK(joined_records(*store) == row.want);
    CHECK(records_of_for_each(*store) == row.want);
  }
}

TEST_CASE("for_each_record: a big list, read in several pieces, matches for_each", "[post_send]") {
  lettershop_test::TempDir tmp("recsbig");
  ezmlm::ListDir dir(tmp.path);
  // ~20,000 records in one bucket (~600 KB: several 256 KB reads, records
  // split across them) plus a few in others, written straight into files.
  std::string big;
  for (int i = 0; i < 20000; ++i)
    big += "Tsubscriber" + std::to_string(i) + "@d" + std::to_string(i % 97) + ".example" + std::string(1, '\0');
  lettershop_test::put(tmp.path / "subscribers" / "K", big);
  lettershop_test::put(tmp.path / "subscribers" / "A", std::string("Tfirst@example.org\0", 19));
  lettershop_test::put(tmp.path / "subscribers" / "t", std::string("Tlast@example.org\0", 18));
  auto store = ezmlm::open_store(dir, "");
  std::size_t calls = 0;
  std::string got = joined_records(*store, &calls);
  CHECK(got == records_of_for_each(*store));
  CHECK(got.size() == big.size() + 19 + 18);
  CHECK(calls < 10);  // runs of records, not one call per address
  // Added through the store (real hashing into buckets): the same again.
  store->add("New.Person@Example.COM", "manual", "");
  CHECK(joined_records(*store) == records_of_for_each(*store));
}

TEST_CASE("for_each_record: the default builds runs from for_each", "[post_send]") {
  ListStore store;
  CHECK(joined_records(store).empty());
  for (int i = 0; i < 5000; ++i) store.addresses.push_back("user" + std::to_string(i) + "@example.net");
  std::size_t calls = 0;
  std::string got = joined_records(store, &calls);
  CHECK(got == records_of_for_each(store));
  CHECK(calls >= 2);  // ~100 KB in runs of about 64 KB
}

TEST_CASE("QueueClient::finish_records writes the runs as they are", "[post_send]") {
  lettershop_test::TempDir tmp("qqrecs");
  std::filesystem::create_directory(tmp.path / "bin");
  mta::io::replace_file(tmp.path / "bin/qq", "#!/bin/sh\ncat > msg.out && cat <&1 > env.out\n", 0755);
  std::optional<std::string> old;
  if (const char* v = std::getenv("QMAILQUEUE")) old = v;
  ::setenv("QMAILQUEUE", (tmp.path / "bin/qq").c_str(), 1);
  std::string runs;
  for (int i = 0; i < 20000; ++i) runs += "Tuser" + std::to_string(i) + "@example.org" + std::string(1, '\0');
  bool meanwhile_ran = false;
  {
    mta::QueueClient qc(mta::Home{tmp.path});
    qc.put("Subject: x\n\nbody\n");
    auto result = qc.finish_records(
        "list-return-1-@h-@[]",
        [&](const mta::QueueClient::RecordSink& sink) {
          // Two runs (split at a record boundary), the second larger than the
          // writer's 64 KB buffer.
          std::size_t cut = runs.find('\0', 20000) + 1;
          sink(std::string_view(runs).substr(0, cut));
          sink(std::string_view(runs).substr(cut));
        },
        [&] { meanwhile_ran = true; });
    CHECK(result.ok());
  }
  CHECK(meanwhile_ran);
  CHECK(mta::io::read_file(tmp.path / "msg.out") == "Subject: x\n\nbody\n");
  CHECK(mta::io::read_file(tmp.path / "env.out") == std::string("Flist-return-1-@h-@[]\0", 22) + runs + '\0');
  // A record source that throws abandons the queue program: no closing NUL.
  {
    mta::QueueClient qc(mta::Home{tmp.path});
    qc.put("Subject: y\n\nbody\n");
    CHECK_THROWS_AS(qc.finish_records(
                        "s", [&](const mta::QueueClient::RecordSink& sink) {
                          sink(std::string("Ta@b\0", 5));
                          throw mta::TempError("store failed");
                        },
                        [] {}),
                    mta::TempError);
  }
  auto env = mta::io::read_file(tmp.path / "env.out");
  REQUIRE(env);
  CHECK(env->find(std::string("\0\0", 2)) == std::string::npos);  // never terminated: nothing queued
  if (old) ::setenv("QMAILQUEUE", old->c_str(), 1);
  else ::unsetenv("QMAILQUEUE");
}
