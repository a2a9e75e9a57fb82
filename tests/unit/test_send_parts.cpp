// Unit tests: qmail-send's pure parts — retry arithmetic, VERP, bounce
// composition, queue records, spawner reports, log lines.
#include <catch2/catch.hpp>

#include <string>

#include "mta/send/bounce.h"
#include "mta/send/logline.h"
#include "mta/send/records.h"
#include "mta/send/report.h"
#include "mta/send/retry.h"

using namespace std::string_literals;
namespace send = mta::send;

TEST_CASE("next_retry falls on the squares of the channel's step") {
  struct Row {
    long age;
    unsigned skip;
    long next_age;
  } rows[] = {
      {-50, 10, 100},  // clock went back: age counts as 0
      {0, 10, 100},     {99, 10, 361},    {100, 10, 400},  {399, 10, 841},  // late: next square
      {0, 20, 400},     {400, 20, 1600},  {1599, 20, 3481},
      {3600, 20, 6400},  // 1 h -> 1 h 46 min 40 s
  };
  const std::time_t birth = 1000000000;
  for (const auto& r : rows) {
    INFO("age " << r.age << " skip " << r.skip);
    CHECK(send::next_retry(birth, birth + r.age, r.skip) == birth + r.next_age);
  }
  CHECK(send::isqrt(0) == 0);
  CHECK(send::isqrt(15) == 3);
  CHECK(send::isqrt(16) == 4);
  CHECK(send::isqrt(~0ULL) == 4294967295ULL);
}

TEST_CASE("is_dying once queuelifetime has passed") {
  CHECK_FALSE(send::is_dying(1000, 1000 + 604800, 604800));
  CHECK(send::is_dying(1000, 1000 + 604801, 604800));
  CHECK(send::is_dying(1000, 1001, 0));
}

TEST_CASE("verp_sender expands P@H-@[] per recipient") {
  struct Row {
    const char* sender;
    const char* rcpt;
    const char* out;
  } rows[] = {
      {"", "a@b", ""},
      {"-@[]", "a@b", "-@[]"},                    // no '@' before the marker
      {"list-@host-@[]", "nohost", "list-@host-@[]"},
      {"list-owner-@host-@[]", "joe@x.org", "list-owner-joe=x.org@host"},
      {"P@H-@[]", "box@dom", "Pbox=dom@H"},
      {"a@b@H-@[]", "u@v@w", "a@bu@v=w@H"},       // split at the last '@' of each
      {"plain@host", "joe@x.org", "plain@host"},
  };
  for (const auto& r : rows) {
    INFO(r.sender << " / " << r.rcpt);
    CHECK(send::verp_sender(r.sender, r.rcpt) == r.out);
  }
  CHECK(send::strip_verp("P@H-@[]") == "P@H");
  CHECK(send::strip_verp("P@H") == "P@H");
}

TEST_CASE("bounce_paragraph breaks up blank lines") {
  struct Row {
    const char* rcpt;
    std::string report;
    std::string out;
  } rows[] = {
      {"a@b", "", "<a@b>:\n\n"},
      {"a@b", "x", "<a@b>:\nx\n\n"},
      {"a@b", "x\n", "<a@b>:\nx\n\n"},
      {"a@b", "x\n\ny\n", "<a@b>:\nx\n/y\n\n"},
      {"a@b", "x\n\n\ny", "<a@b>:\nx\n/\ny\n\n"},
      {"a@b", "\n\n", "<a@b>:\n/\n\n"},
  };
  for (const auto& r : rows) {
    INFO(r.report);
    CHECK(send::bounce_paragraph(r.rcpt, r.report) == r.out);
  }
}

TEST_CASE("bounce_kind by the stored sender") {
  CHECK(send::bounce_kind("") == send::BounceKind::double_bounce);
  CHECK(send::bounce_kind("#@[]") == send::BounceKind::triple);
  CHECK(send::bounce_kind("a@b") == send::BounceKind::single);
  CHECK(send::bounce_kind("a@b-@[]") == send::BounceKind::single);
}

TEST_CASE("compose_bounce: single and double notices") {
  send::BounceConfig cfg;
  cfg.bouncehost = "bh.test";
  cfg.doublebouncehost = "dbh.test";
  const std::string para = send::bounce_paragraph("x@y", "No.\n");
  const std::time_t t = 811485414;  // 26 Sep 1995 04:36:54
  auto single = send::compose_bounce(cfg, "owner-@list.test-@[]", para, t);
  CHECK(single.sender == "");
  CHECK(single.recipient == "owner-@list.test");
  CHECK(single.head ==
        "Date: 19 Sep 1995 04:36:54 -0000\n"
        "From: MAILER-DAEMON@bh.test\n"
        "To: owner-@list.test\n"
        "Subject: failure notice\n\n"
        "Hi. This is the qmail-send program at bh.test.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
        "<x@y>:\nNo.\n\n"
        "--- Below this line is a copy of the message.\n\n"
        "Return-Path: <owner-@list.test>\n");
  auto dbl = send::compose_bounce(cfg, "", para, t);
  CHECK(dbl.sender == "#@[]");
  CHECK(dbl.recipient == "postmaster@dbh.test");
  CHECK(dbl.head ==
        "Date: 19 Sep 1995 04:36:54 -0000\n"
        "From: MAILER-DAEMON@bh.test\n"
        "To: postmaster@dbh.test\n"
        "Subject: failure notice\n\n"
        "Hi. This is the qmail-send program at bh.test.\n"
        "I tried to deliver a bounce message to this address, but the bounce bounced!\n\n"
        "<x@y>:\nNo.\n\n"
        "--- Below this line is the original bounce.\n\n"
        "Return-Path: <>\n");
  auto quoted = send::compose_bounce(cfg, "joe smith@x.test", para, t);
  CHECK(quoted.recipient == "joe smith@x.test");
  CHECK(quoted.head.find("To: \"joe smith\"@x.test\n") != std::string::npos);
  CHECK(quoted.head.find("Return-Path: <\"joe smith\"@x.test>\n") != std::string::npos);
}

TEST_CASE("parse_records cuts NUL-terminated records with offsets") {
  const std::string todo = "u7770\0p12345\0Fbill@irs.gov\0\0Tjoe\0"s;  // the views point into it
  auto r = send::parse_records(todo);
  REQUIRE(r.records.size() == 5);
  CHECK_FALSE(r.partial);
  CHECK(r.records[0].type == 'u');
  CHECK(r.records[0].text == "7770");
  CHECK(r.records[2].type == 'F');
  CHECK(r.records[2].offset == 13);
  CHECK(r.records[3].type == '\0');  // an empty record
  CHECK(r.records[4].type == 'T');
  CHECK(r.records[4].offset == 28);
  const std::string cut = "Ta\0Tb"s;
  auto p = send::parse_records(cut);
  CHECK(p.partial);
  CHECK(p.records.size() == 1);
  CHECK(send::parse_records("").records.empty());
}

TEST_CASE("ReportReader: split anywhere, NUL slot, mangled, truncated") {
  std::string stream = "\x00Kdid 1+0+0\n\0"s + "\x03Zno\nway\0"s + "\x05\0"s + "\x01Xodd\0"s;
  for (std::size_t chunk : {stream.size(), std::size_t{1}, std::size_t{3}}) {
    INFO("chunk " << chunk);
    send::ReportReader rr;
    std::vector<send::Report> got;
    for (std::size_t i = 0; i < stream.size(); i += chunk) {
      rr.feed(std::string_view(stream).substr(i, chunk));
      while (auto r = rr.next()) got.push_back(*r);
    }
    REQUIRE(got.size() == 4);
    CHECK(got[0].slot == 0);
    CHECK(got[0].status == 'K');
    CHECK(got[0].text == "did 1+0+0\n");
    CHECK(got[1].slot == 3);
    CHECK(got[1].text == "no\nway");
    CHECK(got[2].status == '\0');
    CHECK_FALSE(send::status_known(got[3].status));
  }
  send::ReportReader big;
  big.feed("\x02" "D" + std::string(20000, 'a') + "\0"s);
  auto r = big.next();
  REQUIRE(r);
  CHECK(r->text.size() == send::report_max);
}

TEST_CASE("log lines, byte for byte") {
  namespace l = send::logline;
  CHECK(l::status(1, 10, 0, 20, false) == "status: local 1/10 remote 0/20");
  CHECK(l::status(0, 10, 2, 20, true) == "status: local 0/10 remote 2/20 exitasap");
  CHECK(l::new_msg(53) == "new msg 53");
  CHECK(l::info_msg(53, 246, "me@domain", "20345", "666") ==
        "info msg 53: bytes 246 from <me@domain> qp 20345 uid 666");
  CHECK(l::info_msg(1, 2, "a b%c\n", "1", "2") == "info msg 1: bytes 2 from <a_b_c/> qp 1 uid 2");
  CHECK(l::starting_delivery(1, 53, true, "me@domain") == "starting delivery 1: msg 53 to local me@domain");
  CHECK(l::starting_delivery(7, 53, false, "x@y") == "starting delivery 7: msg 53 to remote x@y");
  CHECK(l::delivery(1, 'K', "did 1+0+0\n") == "delivery 1: success: did_1+0+0/");
  CHECK(l::delivery(2, 'D', "No mailbox. (#5.1.1)\n") == "delivery 2: failure: No_mailbox._(#5.1.1)/");
  CHECK(l::delivery(3, 'Z', "later\n") == "delivery 3: deferral: later/");
  CHECK(l::delivery(4, 'Q', "x") == "delivery 4: report mangled, will defer");
  CHECK(l::delivery(4, '\0', "") == "delivery 4: report mangled, will defer");
  CHECK(l::bounce_msg(53, 20346) == "bounce msg 53 qp 20346");
  CHECK(l::triple_bounce(53) == "triple bounce: discarding bounce/53");
  CHECK(l::end_msg(53) == "end msg 53");
}
