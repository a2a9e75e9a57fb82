// Unit tests: autorespond — the suppression rules, sender keys, the state
// store in autorespond 2.0's format and the rate limit across the window.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "autorespond/rules.h"
#include "autorespond/sender.h"
#include "autorespond/state.h"
#include "mta/core/exitcodes.h"
#include "mta/core/message.h"
#include "tmpdir.h"

namespace {

using autorespond::Reason;
namespace fs = std::filesystem;

mta::message::Header header_of(const std::string& text) {
  auto in = mta::io::Reader::from_string(text);
  return mta::message::read_header(in);
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

using lettershop_test::put;

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("sender rules: bounces, malformed and system senders get no reply") {
  struct Row {
    std::string sender;
    std::optional<Reason> want;
  };
  const std::vector<Row> rows = {
      // malformed first
      {"", Reason::null_sender},
      {"#@[]", Reason::null_sender},
      {"nobody", Reason::bad_sender},
      {"@example.org", Reason::bad_sender},
      {"joe@", Reason::bad_sender},
      {"jo e@example.org", Reason::bad_sender},
      {"joe@exa\nmple.org", Reason::bad_sender},
      {std::string(1100, 'a') + "@example.org", Reason::bad_sender},
      // robots
      {"MAILER-DAEMON@example.org", Reason::system_sender},
      {"mailer-daemon-foo@example.org", Reason::system_sender},
      {"Postmaster@example.org", Reason::system_sender},
      {"owner-list@example.org", Reason::system_sender},
      {"list-owner@example.org", Reason::system_sender},
      {"list-request@example.org", Reason::system_sender},
      {"news-bounces@example.org", Reason::system_sender},
      {"LISTSERV@example.org", Reason::system_sender},
      {"majordomo@example.org", Reason::system_sender},
      {"noreply@example.org", Reason::system_sender},
      {"no-reply@example.org", Reason::system_sender},
      {"uucp@example.org", Reason::system_sender},
      {"mail-relay@example.org", Reason::system_sender},
      // people
      {"joe@example.org", std::nullopt},
      {"requester@example.org", std::nullopt},
      {"owner@example.org", std::nullopt},
      {"postmasters-friend@example.org", std::nullopt},
  };
  for (const auto& r : rows) {
    INFO("sender '" << r.sender << "'");
    CHECK(autorespond::sender_reason(r.sender) == r.want);
  }
}

TEST_CASE("header rules: one row per rule, in RFC 3834's spirit") {
  autorespond::Policy policy;
  policy.dtline = "Delivered-To: joe@example.test\n";
  policy.recipient = "joe@example.test";
  struct Row {
    std::string header;
    std::optional<Reason> want;
  };
  const std::vector<Row> rows = {
      // odd input first
      {"", std::nullopt},
      {"not a header line\n\nbody\n", std::nullopt},
      {"Subject: hi\n", std::nullopt},
      // loops
      {"Delivered-To: joe@example.test\nSubject: x\n", Reason::loop},
      {"delivered-to: JOE@example.test\n", Reason::loop},
      {"Delivered-To: Autoresponder\n", Reason::loop},
      {"Delivered-To: someone-else@example.test\n", std::nullopt},
      // Auto-Submitted
      {"Auto-Submitted: auto-replied\n", Reason::auto_submitted},
      {"Auto-Submitted: auto-generated\n", Reason::auto_submitted},
      {"Auto-Submitted: auto-notified\n", Reason::auto_submitted},
      {"Auto-Submitted: (comment) auto-replied (vacation)\n", Reason::auto_submitted},
      {"Auto-Submitted: no\n", std::nullopt},
      {"Auto-Submitted: No (a person)\n", std::nullopt},
      // X-Auto-Response-Suppress
      {"X-Auto-Response-Suppress: All\n", Reason::suppressed},
      {"X-Auto-Response-Suppress: DR, OOF\n", Reason::suppressed},
      {"X-Auto-Response-Suppress: AutoReply\n", Reason::suppressed},
      {"X-Auto-Response-Suppress: DR, NDR\n", std::nullopt},
      // Precedence
      {"Precedence: bulk\n", Reason::precedence},
      {"Precedence: JUNK\n", Reason::precedence},
      {"Precedence: list\n", Reason::precedence},
      {"Precedence: auto_reply\n", Reason::precedence},
      {"Precedence: first-class\n", std::nullopt},
      // lists
      {"List-Id: <news.example.org>\n", Reason::list},
      {"List-Unsubscribe: <mailto:x@example.org>\n", Reason::list},
      {"List-Unsubscribe-Post: List-Unsubscribe=One-Click\n", Reason::list},
      {"List-Post: NO\n", Reason::list},
      {"Mailing-List: contact news-help@example.org\n", Reason::list},
      {"X-Mailing-List: <news@example.org>\n", Reason::list},
      {"X-ML-Name: news\n", Reason::list},
      {"X-Listing: no\n", std::nullopt},
      // other responders
      {"X-Autoreply: yes\n", Reason::auto_reply},
      {"X-Autorespond: yes\n", Reason::auto_reply},
  };
  for (const auto& r : rows) {
    INFO("header:\n" << r.header);
    CHECK(autorespond::suppress(header_of(r.header), "mary@example.org", policy, 1000) == r.want);
  }
}

TEST_CASE("owner rules: own address, implicit delivery with aliases, the period") {
  autorespond::Policy policy;
  policy.recipient = "joe@example.test";
  struct Row {
    std::vector<std::string> owners;
    std::string sender;
    std::string header;
    std::time_t now;
    std::optional<std::time_t> start, end;
    std::optional<Reason> want;
  };
  const std::vector<Row> rows = {
      {{}, "joe@example.test", "To: joe@example.test\n", 100, {}, {}, Reason::own_address},
      {{}, "JOE@Example.Test", "", 100, {}, {}, Reason::own_address},
      {{"joe@example.test", "joseph@example.test"}, "joseph@example.test", "", 100, {}, {}, Reason::own_address},
      // no owners: no To/Cc check
      {{}, "mary@example.org", "To: someone@example.org\n", 100, {}, {}, std::nullopt},
      // owners given: must be named somewhere
      {{"joe@example.test"}, "mary@example.org", "To: someone@example.org\n", 100, {}, {}, Reason::not_addressed},
      {{"joe@example.test"}, "mary@example.org", "", 100, {}, {}, Reason::not_addressed},
      {{"joe@example.test"}, "mary@example.org", "To: <<<broken\n", 100, {}, {}, Reason::not_addressed},
      {{"joe@example.test"}, "mary@example.org", "To: Joe <JOE@example.test>\n", 100, {}, {}, std::nullopt},
      {{"joe@example.test"}, "mary@example.org", "To: a@b.c,\n d@e.f\nCc: x@y.z, joe@example.test\n", 100, {}, {},
       std::nullopt},
      {{"joe@example.test", "joseph@example.test"}, "mary@example.org", "Resent-To: joseph@example.test\n", 100, {},
       {}, std::nullopt},
      {{"joe@example.test"}, "mary@example.org", "Bcc: friends: joe@example.test;\n", 100, {}, {}, std::nullopt},
      // period
      {{}, "mary@example.org", "", 100, 200, {}, Reason::outside_period},
      {{}, "mary@example.org", "", 300, {}, 200, Reason::outside_period},
      {{}, "mary@example.org", "", 200, 200, 200, std::nullopt},
  };
  for (const auto& r : rows) {
    INFO("owners " << r.owners.size() << " sender " << r.sender << " header " << r.header << " now " << r.now);
    policy.owners = r.owners;
    policy.start = r.start;
    policy.end = r.end;
    CHECK(autorespond::suppress(header_of(r.header), r.sender, policy, r.now) == r.want);
  }
}

TEST_CASE("reason names are what the log line says") {
  CHECK(autorespond::reason_name(Reason::list) == "list");
  CHECK(autorespond::reason_name(Reason::null_sender) == "null sender");
  CHECK(autorespond::reason_name(Reason::rate_limit) == "rate limit");
  CHECK(autorespond::reason_name(Reason::not_addressed) == "not addressed to owner");
}

TEST_CASE("sender keys strip BATV, SRS, VERP numbers and sub-address tags") {
  struct Row {
    std::string in, want;
  };
  const std::vector<Row> rows = {
      {"", ""},
      {"no-at-sign", "no-at-sign"},
      {"joe@EXAMPLE.org", "joe@example.org"},
      {"Joe@example.org", "joe@example.org"},
      {"prvs=1234abcdef=joe@example.org", "joe@example.org"},
      {"PRVS=0123456789=joe@Example.org", "joe@example.org"},
      {"btv1==1234abcdef==joe@example.org", "joe@example.org"},
      {"SRS0=HHH=TT=example.org=joe@forwarder.net", "joe@example.org"},
      {"SRS0=abcd=Q2=example.org=prvs=9999=joe@fwd.example", "joe@example.org"},
      {"SRS1=HHH=fwd1.example==HHH=TT=example.org=joe@fwd2.example", "joe@example.org"},
      {"SRS0=broken@forwarder.net", "srs0=broken@forwarder.net"},
      {"list-return-123-joe=example.org@lists.example", "list-return-#-joe=example.org@lists.example"},
      {"list-return-124-joe=example.org@lists.example", "list-return-#-joe=example.org@lists.example"},
      {"joe+holiday@example.org", "joe@example.org"},
      {"+only@example.org", "+only@example.org"},
      {"2024@example.org", "2024@example.org"},
  };
  for (const auto& r : rows) {
    INFO("sender " << r.in);
    CHECK(autorespond::normalize_sender(r.in) == r.want);
  }
}

TEST_CASE("state file names and records: 2.0's format, garbage ignored") {
  using K = autorespond::StateName::Kind;
  struct Row {
    std::string name;
    bool ok;
    K kind;
    std::time_t time;
  };
  const std::vector<Row> rows = {
      {"", false, K::record, 0},
      {"A", false, K::record, 0},
      {"A123", false, K::record, 0},
      {"A123.", false, K::record, 0},
      {"A.123", false, K::record, 0},
      {"Ax.123", false, K::record, 0},
      {"A12.34x", false, K::record, 0},
      {"A12.34.", false, K::record, 0},
      {"tmp12.34.5", false, K::temp, 0},
      {"B12.34", false, K::record, 0},
      {"A1.99999999999999999999999", false, K::record, 0},
      {"message", false, K::record, 0},
      {"A4242.1700000000", true, K::record, 1700000000},
      {"A4242.1700000000.3", true, K::record, 1700000000},
      {"tmp4242.1700000000", true, K::temp, 1700000000},
  };
  for (const auto& r : rows) {
    INFO("name '" << r.name << "'");
    auto got = autorespond::parse_state_name(r.name);
    REQUIRE(got.has_value() == r.ok);
    if (r.ok) {
      CHECK(got->kind == r.kind);
      CHECK(got->time == r.time);
    }
  }
  CHECK_FALSE(autorespond::parse_state_record(""));
  CHECK_FALSE(autorespond::parse_state_record("\n"));
  CHECK_FALSE(autorespond::parse_state_record(std::string("a\0b@c", 5)));
  CHECK_FALSE(autorespond::parse_state_record("a@b\nc@d"));
  CHECK_FALSE(autorespond::parse_state_record(std::string(5000, 'x')));
  CHECK(autorespond::parse_state_record("joe@example.org") == "joe@example.org");
  CHECK(autorespond::parse_state_record("joe@example.org\n") == "joe@example.org");
}

TEST_CASE("state store reads a DIR written by autorespond 2.0 and prunes what expired") {
  lettershop_test::TempDir tmp("ar-state");
  const fs::path& dir = tmp.path;
  const std::time_t now = 1700000000;
  // As 2.0 leaves it: one A file per message, sender without newline.
  put(dir / "A100.1699999000", "joe@example.org");     // in the window
  put(dir / "A101.1699999500", "JOE@EXAMPLE.ORG");     // 2.0 compared with strcasecmp
  put(dir / "A102.1699990000", "joe@example.org");     // exactly TIME old: still counts
  put(dir / "A103.1699980000", "joe@example.org");     // expired
  put(dir / "A104.1699999900", "mary@example.org");    // another sender
  put(dir / "tmp105.1699000000", "a stale reply");     // 2.0's leftover, older than a day
  put(dir / "tmp106.1699999990", "a reply being sent");
  put(dir / "message", "not ours");
  put(dir / "A107.1699999999", std::string("bad\0record", 10));

  autorespond::StateStore store(dir);
  // Window 10000 s: cutoff 1699990000; A102 is exactly at the cutoff and counts.
  CHECK(store.count("joe@example.org", now, 10000) == 3);
  CHECK(names_in(dir) == std::vector<std::string>{"A100.1699999000", "A101.1699999500", "A102.1699990000",
                                                  "A104.1699999900", "A107.1699999999", "message",
                                                  "tmp106.1699999990"});
  CHECK(store.count("prvs=77=joe@example.org", now, 10000) == 3);
  CHECK(store.count("mary@example.org", now, 10000) == 1);
  CHECK(store.count("nobody@example.org", now, 10000) == 0);
  // A shorter window prunes more.
  CHECK(store.count("joe@example.org", now, 1000) == 2);
  CHECK_FALSE(fs::exists(dir / "A102.1699990000"));
}

TEST_CASE("state store records replies durably in 2.0's format") {
  lettershop_test::TempDir tmp("ar-record");
  autorespond::StateStore store(tmp.path);
  store.record("joe@example.org", 1700000000);
  store.record("mary@example.org", 1700000000);  // same pid, same second
  auto names = names_in(tmp.path);
  REQUIRE(names.size() == 2);
  std::string pid = std::to_string(::getpid());
  CHECK(names[0] == "A" + pid + ".1700000000");
  CHECK(names[1] == "A" + pid + ".1700000000.1");
  CHECK(slurp(tmp.path / names[0]) == "joe@example.org");
  CHECK(slurp(tmp.path / names[1]) == "mary@example.org");
  CHECK(fs::status(tmp.path / names[0]).permissions() == (fs::perms::owner_read | fs::perms::owner_write));
}

TEST_CASE("rate limit: at most NUM replies per sender within TIME, with an injected clock") {
  lettershop_test::TempDir tmp("ar-rate");
  const std::time_t window = 100;
  unsigned limit = 2;
  // The program's rule: reply while count < NUM, then record the reply.
  auto try_reply = [&](const std::string& sender, std::time_t now) {
    autorespond::StateStore store(tmp.path);
    if (store.count(sender, now, window) >= limit) return false;
    store.record(sender, now);
    return true;
  };
  struct Step {
    std::string sender;
    std::time_t now;
    bool replied;
  };
  const std::vector<Step> steps = {
      {"joe@example.org", 1000, true},
      {"JOE@Example.ORG", 1010, true},  // the same sender: 2.0 compared case-insensitively
      {"joe@example.org", 1020, false},
      {"mary@example.org", 1020, true},
      {"mary@example.org", 1030, true},
      {"mary@example.org", 1040, false},
      {"SRS0=h=t=example.org=mary@fwd.example", 1050, false},
      {"prvs=0001=mary@example.org", 1060, false},
      {"mary@example.org", 1120, false},  // cutoff 1020: the reply at 1020 still counts
      {"mary@example.org", 1121, true},   // cutoff 1021: it has expired
      {"mary@example.org", 1122, false},
      {"mary@example.org", 1131, true},   // 1030 expired
      {"joe@example.org", 1111, true},    // 1000 and 1010 expired
  };
  for (const auto& s : steps) {
    INFO(s.sender << " at " << s.now);
    CHECK(try_reply(s.sender, s.now) == s.replied);
  }
  limit = 0;  // NUM 0: never a reply (2.0: count > 0 always)
  CHECK_FALSE(try_reply("new@example.org", 2000));
}

TEST_CASE("state store: a missing DIR is a temporary error, as 2.0's chdir failure") {
  lettershop_test::TempDir tmp("ar-missing");
  CHECK_THROWS_AS(autorespond::StateStore(tmp.path / "nope"), mta::TempError);
}
