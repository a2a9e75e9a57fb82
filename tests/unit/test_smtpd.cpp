// Unit tests for mta/smtp/smtpd_parse and qmtp: commands, paths, the DATA
// reader, rcpthosts/badmailfrom, the Received line, netstrings.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "mta/core/cdb.h"
#include "mta/smtp/qmtp.h"
#include "mta/smtp/smtpd_parse.h"
#include "tmpdir.h"

using namespace mta::smtpd;

TEST_CASE("smtpd: parse_command knows every verb, case-insensitively", "[smtpd]") {
  struct Row {
    std::string line;
    Verb verb;
    std::string arg;
  };
  std::vector<Row> rows = {
      {"", Verb::unknown, ""},
      {"\r\n", Verb::unknown, ""},
      {" HELO x\r\n", Verb::unknown, "HELO x"},  // a leading space makes the verb empty
      {"EXPN list\r\n", Verb::unknown, "list"},
      {"AUTH PLAIN\r\n", Verb::unknown, "PLAIN"},
      {"BDAT 10\r\n", Verb::unknown, "10"},
      {"helo dude\r\n", Verb::helo, "dude"},
      {"HeLo dude\n", Verb::helo, "dude"},  // bare LF command lines are accepted
      {"EHLO client.example\r\n", Verb::ehlo, "client.example"},
      {"MAIL FROM:<a@b>\r\n", Verb::mail, "FROM:<a@b>"},
      {"mail    <me@domain>\r\n", Verb::mail, "<me@domain>"},
      {"RCPT TO:<c@d>\r\n", Verb::rcpt, "TO:<c@d>"},
      {"DATA\r\n", Verb::data, ""},
      {"rset\r\n", Verb::rset, ""},
      {"NOOP\r\n", Verb::noop, ""},
      {"VRFY x\r\n", Verb::vrfy, "x"},
      {"HELP\r\n", Verb::help, ""},
      {"QUIT\r\n", Verb::quit, ""},
      {"StartTLS\r\n", Verb::starttls, ""},
      {"QUIT\r\r\n", Verb::unknown, ""},  // only one CR is removed: "QUIT\r" is no verb
  };
  for (const auto& r : rows) {
    INFO("line: " << r.line);
    Command c = parse_command(r.line);
    CHECK(c.verb == r.verb);
    CHECK(std::string(c.arg) == r.arg);
  }
}

TEST_CASE("smtpd: parse_path handles the forms of reference 10.3", "[smtpd]") {
  // Malformed first.
  CHECK_FALSE(parse_path("FROM:<a@b> SIZE=x"));
  CHECK_FALSE(parse_path("FROM:<a@b> SIZE="));
  CHECK_FALSE(parse_path("FROM:<a@b> SIZE=99999999999999999999999"));
  CHECK_FALSE(parse_path(std::string("FROM:<a\0b@c>", 13)));
  CHECK_FALSE(parse_path("FROM:<" + std::string(900, 'x') + ">"));
  CHECK(parse_path("FROM:<" + std::string(899, 'x') + ">"));
  struct Row {
    std::string arg, address;
  };
  std::vector<Row> rows = {
      {"FROM:<a@b>", "a@b"},
      {"FROM:<>", ""},
      {"from: <a@b>", "a@b"},
      {"<me@domain>", "me@domain"},                       // TEST.receive's sloppy MAIL
      {"FROM:a@b", "a@b"},                                // no brackets: to a space
      {"FROM: a@b SIZE=10", "a@b"},
      {"TO:<@r1,@r2:user@host>", "user@host"},           // source route dropped
      {"TO:<\"john doe\"@host>", "john doe@host"},        // quoting removed
      {"TO:<a\\>b@host>", "a>b@host"},                    // escapes removed
      {"TO:<\"a>b\"@host>", "a>b@host"},                  // quoted >
      {"TO:<a@b", "a@b"},                                 // qmail accepts an unclosed <
      {"FROM:<us\xc3\xa9r@b\xc3\xa9.example> SMTPUTF8", "us\xc3\xa9r@b\xc3\xa9.example"},
  };
  for (const auto& r : rows) {
    INFO("arg: " << r.arg);
    auto p = parse_path(r.arg);
    REQUIRE(p);
    CHECK(p->address == r.address);
  }
  auto p = parse_path("FROM:<a@b> size=4096 body=8bitmime SMTPUTF8 X-OTHER=1");
  REQUIRE(p);
  CHECK(p->size == 4096u);
  CHECK(p->body_8bit);
  CHECK(p->smtputf8);
  auto q = parse_path("FROM:<a@b> BODY=7BIT");
  REQUIRE(q);
  CHECK_FALSE(q->body_8bit);
  CHECK_FALSE(q->smtputf8);
  CHECK_FALSE(q->size);
}

TEST_CASE("smtpd: [ip] literals of local addresses become localiphost", "[smtpd]") {
  auto local = [](std::string_view ip) { return ip == "127.0.0.1" || ip == "::1"; };
  CHECK(replace_ip_literal("box@[127.0.0.1]", "example.test", local) == "box@example.test");
  CHECK(replace_ip_literal("box@[IPv6:::1]", "example.test", local) == "box@example.test");
  CHECK(replace_ip_literal("box@[10.1.1.1]", "example.test", local) == "box@[10.1.1.1]");
  CHECK(replace_ip_literal("box@host", "example.test", local) == "box@host");
  CHECK(replace_ip_literal("box@[127.0.0.1]", "", local) == "box@[127.0.0.1]");
}

TEST_CASE("smtpd: rcpthosts matches domains and .domain wildcards", "[smtpd]") {
  RcptHosts hosts(std::vector<std::string>{"Example.TEST", ".sub.example.org"});
  struct Row {
    std::string address;
    bool allowed;
  };
  std::vector<Row> rows = {
      {"u@example.test", true},     {"u@EXAMPLE.test", true},    {"u@other.test", false},
      {"u@x.example.test", false},  {"u@a.sub.example.org", true}, {"u@a.b.sub.example.org", true},
      {"u@sub.example.org", false},  // .suffix never matches the bare domain
      {"postmaster", true},         // no @: always ours
      {"u@", false},                {"a@b@example.test", true},  // the last @ counts
  };
  for (const auto& r : rows) {
    INFO("address: " << r.address);
    CHECK(hosts.allows(r.address) == r.allowed);
  }
  // Absent rcpthosts: nothing is allowed (qmail would allow everything).
  RcptHosts none(std::nullopt, [](std::string_view) { return true; });
  CHECK_FALSE(none.allows("u@example.test"));
  CHECK(none.allows("postmaster"));
}

TEST_CASE("smtpd: morercpthosts.cdb is consulted with the same key forms", "[smtpd]") {
  lettershop_test::TempDir dir("smtpd");
  {
    mta::cdb::Writer w(dir.path / "more.cdb");
    w.add("more.example", "");
    w.add(".wild.example", "");
    w.commit();
  }
  auto more = [&](std::string_view key) {
    auto db = mta::cdb::Reader::open(dir.path / "more.cdb");
    return db && db->find(key).has_value();
  };
  RcptHosts hosts(std::vector<std::string>{"example.test"}, more);
  CHECK(hosts.allows("u@more.example"));
  CHECK(hosts.allows("u@MORE.example"));
  CHECK(hosts.allows("u@x.wild.example"));
  CHECK_FALSE(hosts.allows("u@wild.example"));
  CHECK_FALSE(hosts.allows("u@less.example"));
}

TEST_CASE("smtpd: badmailfrom matches addresses and @domains", "[smtpd]") {
  std::vector<std::string> list = {"spam@example.com", "@bad.example"};
  CHECK(badmailfrom(list, "spam@example.com"));
  CHECK(badmailfrom(list, "SPAM@Example.COM"));
  CHECK(badmailfrom(list, "anyone@bad.example"));
  CHECK_FALSE(badmailfrom(list, "anyone@sub.bad.example"));
  CHECK_FALSE(badmailfrom(list, "ham@example.com"));
  CHECK_FALSE(badmailfrom(list, ""));
  CHECK_FALSE(badmailfrom({""}, ""));
}

namespace {

struct DataResult {
  std::string out;
  DataReader::Status status;
  std::size_t consumed;
  int hops;
  bool too_big;
};

DataResult run_data(std::string_view in, std::uint64_t limit = 0, std::size_t chunk = 0) {
  DataReader r(limit);
  DataResult res{};
  std::size_t pos = 0;
  while (pos < in.size() && r.status() == DataReader::Status::more) {
    std::size_t n = chunk ? std::min(chunk, in.size() - pos) : in.size() - pos;
    std::size_t used = r.feed(in.substr(pos, n), res.out);
    pos += used;
    if (used < n) break;
  }
  res.status = r.status();
  res.consumed = pos;
  res.hops = r.hops();
  res.too_big = r.too_big();
  return res;
}

}  // namespace

TEST_CASE("smtpd: DataReader converts, unstuffs and finds the end", "[smtpd]") {
  using S = DataReader::Status;
  struct Row {
    std::string in, out;
    S status;
  };
  std::vector<Row> rows = {
      // Bare LF anywhere is refused (SMTP smuggling).
      {"\n", "", S::bare_lf},
      {"a\nb\r\n.\r\n", "a", S::bare_lf},
      {"Subject: x\r\n\r\nbody\n.\n", "Subject: x\n\nbody", S::bare_lf},
      {"a\r\n.\n", "a\n", S::bare_lf},
      {"a\r\n..\n", "a\n.", S::bare_lf},
      // Not yet ended.
      {"abc\r\n", "abc\n", S::more},
      {"abc\r\n.", "abc\n", S::more},
      {"abc\r\n.\r", "abc\n", S::more},
      // Ended.
      {".\r\n", "", S::done},
      {"a\r\nb\r\n.\r\n", "a\nb\n", S::done},
      {"..x\r\n.\r\n", ".x\n", S::done},
      {"...\r\n.\r\n", "..\n", S::done},
      {"a\rb\r\n.\r\n", "a\rb\n", S::done},       // lone CR kept
      {"a\r\r\n.\r\n", "a\r\n", S::done},         // CR run: all but the last kept
      {"\r\r\n.\r\n", "\r\n", S::done},
      {".\rx\r\n.\r\n", "\rx\n", S::done},        // dot dropped, lone CR kept
      {std::string("a\0b\r\n.\r\n", 8), std::string("a\0b\n", 4), S::done},  // NUL passes
      {"\xff\xfe 8bit\r\n.\r\n", "\xff\xfe 8bit\n", S::done},
  };
  for (const auto& r : rows) {
    for (std::size_t chunk : {0, 1, 2, 3}) {
      INFO("in: " << r.in << " chunk " << chunk);
      DataResult got = run_data(r.in, 0, chunk);
      CHECK(got.out == r.out);
      CHECK(got.status == r.status);
    }
  }
  // Bytes after the end marker are left for the next command.
  DataResult got = run_data("x\r\n.\r\nQUIT\r\n");
  CHECK(got.status == S::done);
  CHECK(got.consumed == 6);
}

TEST_CASE("smtpd: DataReader counts hops in the header only", "[smtpd]") {
  std::string header;
  for (int i = 0; i < 99; ++i) header += i % 3 == 0 ? "Received: x\r\n" : i % 3 == 1 ? "DELIVERED-TO: y\r\n" : "received-spf: z\r\n";
  DataResult got = run_data(header + "\r\nReceived: in body\r\n.\r\n");
  CHECK(got.hops == 99);
  got = run_data(header + "Delivered-By: one more\r\n\r\n.\r\n", 0, 1);
  CHECK(got.hops == 100);
  CHECK(run_data("Receive: x\r\nDeliver: y\r\n \treceived continuation\r\n\r\n.\r\n").hops == 0);
}

TEST_CASE("smtpd: DataReader stops storing past databytes but reads to the end", "[smtpd]") {
  DataResult got = run_data("12345\r\n.\r\n", 6);
  CHECK(got.status == DataReader::Status::done);
  CHECK_FALSE(got.too_big);
  CHECK(got.out == "12345\n");
  got = run_data("123456\r\n" + std::string(100000, 'x') + "\r\n.\r\nQUIT\r\n", 6, 4096);
  CHECK(got.status == DataReader::Status::done);
  CHECK(got.too_big);
  CHECK(got.out.size() == 6);
}

TEST_CASE("smtpd: DataReader copies body text in runs, with the same result in any chunking", "[smtpd]") {
  using S = DataReader::Status;
  // Past the header the body is copied a run at a time (up to CR or LF):
  // every line-end rule must still hold inside and at the edges of runs.
  const std::string in = "H: v\r\n\r\nplain line\r\nlone\rcr\r\ncr run\r\r\r\n..stuffed\r\n" +
                         std::string(std::string_view("nul\0in body\r\n", 13)) + ".\r\n";
  const std::string out = "H: v\n\nplain line\nlone\rcr\ncr run\r\r\n.stuffed\n" +
                          std::string(std::string_view("nul\0in body\n", 12));
  for (std::size_t chunk : {0, 1, 2, 3, 5, 7, 64}) {
    INFO("chunk " << chunk);
    DataResult got = run_data(in, 0, chunk);
    CHECK(got.status == S::done);
    CHECK(got.out == out);
    CHECK(got.consumed == in.size());
  }
  CHECK(run_data("H: v\r\n\r\nbody\nmore\r\n.\r\n").status == S::bare_lf);  // bare LF inside a run
  // databytes falling inside a body run: exactly the first `limit` bytes are kept.
  for (std::size_t chunk : {0, 1, 3, 7}) {
    INFO("chunk " << chunk);
    DataResult got = run_data("H: v\r\n\r\n" + std::string(20, 'x') + "\r\n.\r\n", 10, chunk);
    CHECK(got.status == S::done);
    CHECK(got.too_big);
    CHECK(got.out == "H: v\n\nxxxx");
  }
}

TEST_CASE("smtpd: the Received line", "[smtpd]") {
  ReceivedInfo r;
  r.helo = "dude";
  r.remote_ip = "127.0.0.1";
  r.local_host = "domain";
  CHECK(received_line(r, "26 Sep 1995 04:46:54 -0000") ==
        "Received: from unknown (HELO dude) (127.0.0.1)\n  by domain with SMTP; 26 Sep 1995 04:46:54 -0000\n");
  r.remote_host = "Dude";  // HELO equal to the host name (case-insensitively) is not shown
  r.remote_info = "joe";
  r.remote_ip = "::1";
  CHECK(received_line(r, "D") == "Received: from Dude (joe@::1)\n  by domain with SMTP; D\n");
  r.helo = "evil\n host; (x)";
  r.protocol = "ESMTPS";
  r.tls = "TLSv1.3 TLS_AES_256_GCM_SHA384";
  CHECK(received_line(r, "D") ==
        "Received: from Dude (HELO evil??host?" "??x?) (joe@::1)\n  by domain with ESMTPS (TLSv1.3 "
        "TLS_AES_256_GCM_SHA384); D\n");
  CHECK(safe_received("a-z.A_Z@1%2+3/4=5:6[7]\xc3") == "a-z.A?Z@1%2+3/4=5:6[7]?");
}

TEST_CASE("qmtp: netstrings", "[qmtp]") {
  using mta::qmtp::parse_netstrings;
  CHECK_FALSE(parse_netstrings("3:ab,"));
  CHECK_FALSE(parse_netstrings("2:ab"));
  CHECK_FALSE(parse_netstrings(":ab,"));
  CHECK_FALSE(parse_netstrings("x:ab,"));
  CHECK_FALSE(parse_netstrings("2:ab;"));
  CHECK_FALSE(parse_netstrings("99999999999:a,"));
  CHECK(parse_netstrings("") == std::vector<std::string>{});
  CHECK(parse_netstrings("0:,3:a@b,") == std::vector<std::string>{"", "a@b"});
  CHECK(mta::qmtp::netstring("Kok") == "3:Kok,");
  std::string out;
  bool cr = false;
  mta::qmtp::crlf_to_lf("a\r", cr, out);
  mta::qmtp::crlf_to_lf("\nb\rc\r\r\n", cr, out);
  CHECK(out == "a\nb\rc\r\n");
  CHECK_FALSE(cr);
}
