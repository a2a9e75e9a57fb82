// Unit tests: ezmlm/lib/post_* — the posting path of ezmlm-send
// (reference ezmlm.md 3.3, 1.5). Header rules, MIME removal, trailers,
// subject normalisation, index lines, DMARC with a fake resolver, the
// archive files, and the streamed envelope of QueueClient.
//
// Independent vectors: base64 "DQp0cmFpbGVyIGlzIHByZXNlbnQNCg==" is
// python3 base64.b64encode(b"\r\ntrailer is present\r\n"); the QP line
// "caf=E9 trailer" is quopri.encodestring(b"caf\xe9 trailer\n").
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <map>
#include <string>

#include "ezmlm/lib/post_archive.h"
#include "ezmlm/lib/post_dmarc.h"
#include "ezmlm/lib/post_header.h"
#include "ezmlm/lib/post_mime.h"
#include "ezmlm/lib/post_subject.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/message.h"
#include "mta/core/queue_client.h"
#include "tmpdir.h"

using namespace ezmlm::post;

namespace {

mta::message::Header header_of(const std::string& text) {
  auto r = mta::io::Reader::from_string(text);
  return mta::message::read_header(r);
}

HeaderRules list_rules() {
  HeaderRules r;
  r.outlocal = "list";
  r.outhost = "example.test";
  r.mailing_list = "contact list-help@example.test; run by ezmlm";
  r.headeradd = {"Precedence: bulk", "X-No-Archive: yes"};
  r.headerremove = {"content-length", "return-receipt-to"};
  r.number = 7;
  r.sender = "poster@example.org";
  return r;
}

class StringSink : public BodySink {
 public:
  std::string out, archive;
  void both(std::string_view d) override { out += d; archive += d; }
  void outgoing(std::string_view d) override { out += d; }
};

StringSink run_body(const std::string& message, BodyPlan plan, bool trickle = false) {
  auto r = mta::io::Reader::from_string(message, trickle);
  auto h = mta::message::read_header(r);
  if (const auto* ct = h.find("content-type")) plan.type = parse_content_type(ct->value());
  else plan.type.type = "text/plain";
  if (const auto* cte = h.find("content-transfer-encoding")) plan.cte = parse_cte(cte->value());
  StringSink sink;
  transform_body(r, h.body_start, plan, sink);
  return sink;
}

class FakeDns : public TxtLookup {
 public:
  std::map<std::string, std::vector<std::string>> records;
  bool fail = false;
  std::vector<std::string> asked;
  std::optional<std::vector<std::string>> txt(std::string_view name) override {
    asked.emplace_back(name);
    if (fail) throw mta::TempError("DNS lookup failed");
    auto it = records.find(std::string(name));
    if (it == records.end()) return std::nullopt;
    return it->second;
  }
};

const std::string multipart_mixed =
    "From: a@example.org\nSubject: s\nContent-Type: multipart/mixed; boundary=\"XYZ\"\n\n"
    "preamble\n--XYZ\nContent-Type: text/plain\n\nhello\n--XYZ\nContent-Type: text/html\n\n<p>hi</p>\n"
    "--XYZ--\nepilogue\n";

}  // namespace

TEST_CASE("ezmlm-send header: refusals come first", "[ezmlm_post]") {
  struct Row { const char* header; const char* why; };
  const Row rows[] = {
      {"Delivered-To: mailing list list@example.test\nSubject: x\n\n", "looping"},
      {"Delivered-To:   Mailing List LIST@example.test  \nSubject: x\n\n", "looping, case and blanks"},
      {"Mailing-List: contact other-help@x.org\nSubject: x\n\n", "foreign list"},
  };
  for (const auto& row : rows) {
    INFO(row.why);
    CHECK_THROWS_AS(build_headers(header_of(row.header), list_rules()), mta::PermError);
  }
  auto sub = list_rules();
  sub.sublist = true;
  sub.mailing_list.clear();
  CHECK_THROWS_AS(build_headers(header_of("Subject: x\n\n"), sub), mta::PermError);
  CHECK_NOTHROW(build_headers(header_of("Mailing-List: contact p-help@x.org\nSubject: x\n\n"), sub));
}

TEST_CASE("ezmlm-send header: order, removal, Received, prefix", "[ezmlm_post]") {
  auto r = list_rules();
  r.prefix = "[PFX #]";
  r.listid = "Test list <list.example.test>";
  const std::string in =
      "Received: #LAST#\nReceived: #PENULTIMATE#\nFrom: a@example.org\nList-ID: <old>\n"
      "Subject: test post\nContent-Length: zip\nretuRN-RECeipt-to: a@example.org\nX-Test-Header: one\n\n";
  auto h = build_headers(header_of(in), r);
  CHECK(h.outgoing ==
        "Mailing-List: contact list-help@example.test; run by ezmlm\n"
        "List-ID: Test list <list.example.test>\n"
        "Precedence: bulk\nX-No-Archive: yes\n"
        "Delivered-To: mailing list list@example.test\n"
        "Received: #LAST#\nFrom: a@example.org\nX-Test-Header: one\n"
        "Subject: [PFX 7] test post\n");
  CHECK(h.archive ==
        "Return-Path: <poster@example.org>\n"
        "Delivered-To: mailing list list@example.test\n"
        "Received: #LAST#\nReceived: #PENULTIMATE#\nFrom: a@example.org\nX-Test-Header: one\n"
        "Subject: test post\n");
  r.keep_received = true;
  CHECK(build_headers(header_of(in), r).outgoing.find("#PENULTIMATE#") != std::string::npos);
}

TEST_CASE("ezmlm-send header: no prefix doubling, replies, encoded subjects", "[ezmlm_post]") {
  auto r = list_rules();
  r.prefix = "[PFX #]";
  struct Row { const char* subject; const char* want; };
  const Row rows[] = {
      {"Re: [PFX 3] topic", "Subject: Re: [PFX 3] topic\n"},
      {"[pfx 12] topic", "Subject: [pfx 12] topic\n"},
      {"=?utf-8?Q?=5BPFX_4=5D_t=C3=B6pic?=", "Subject: =?utf-8?Q?=5BPFX_4=5D_t=C3=B6pic?=\n"},
      {"Re: topic", "Subject: [PFX 7] Re: topic\n"},
  };
  for (const auto& row : rows) {
    INFO(row.subject);
    auto h = build_headers(header_of(std::string("Subject: ") + row.subject + "\n\n"), r);
    CHECK(h.outgoing.substr(h.outgoing.rfind("Subject:")) == row.want);
  }
  r.sublist = true;
  r.mailing_list.clear();
  auto h = build_headers(header_of("Mailing-List: x\nSubject: t\n\n"), r);
  CHECK(h.outgoing.find("[PFX") == std::string::npos);
}

TEST_CASE("ezmlm-send header: headerkeep and replytolist", "[ezmlm_post]") {
  auto r = list_rules();
  r.headerkeep = {"from", "subject"};
  auto h = build_headers(header_of("From: a@x.org\nX-Other: 1\nSubject: s\nReply-To: b@x.org\n\n"), r);
  CHECK(h.outgoing.find("X-Other") == std::string::npos);
  CHECK(h.outgoing.find("Reply-To") == std::string::npos);
  CHECK(h.outgoing.find("From: a@x.org\n") != std::string::npos);
  r.headerkeep.clear();
  r.replytolist = true;
  h = build_headers(header_of("From: a@x.org\nReply-To: b@x.org\nSubject: s\n\n"), r);
  CHECK(h.outgoing.find("Reply-To: <list@example.test>\n") != std::string::npos);
  CHECK(h.outgoing.find("b@x.org") == std::string::npos);
}

TEST_CASE("ezmlm-send header: From rewriting, the five forms of test 551", "[ezmlm_post]") {
  auto r = list_rules();
  r.rewrite_from = true;
  struct Row { const char* from; const char* want; };
  const Row rows[] = {
      {"\"My Name 1\" <test1@example.org>", "From: \"My Name 1\" via list <list@example.test>\n"},
      {"\"My Name 2\" test2@example.org", "From: \"My Name 2\" via list <list@example.test>\n"},
      {"My Name 3 <test3@example.org>", "From: My Name 3 via list <list@example.test>\n"},
      {"test4@example.org (My Name 4)", "From: \"My Name 4\" via list <list@example.test>\n"},
      {"test5@example.org", "From: \"test5@example.org\" via list <list@example.test>\n"},
      {"=?iso-8859-1?Q?My=20N=E4m=E9=209?= <test9@example.org>",
       "From: =?iso-8859-1?Q?My=20N=E4m=E9=209?= via list <list@example.test>\n"},
  };
  for (const auto& row : rows) {
    INFO(row.from);
    auto h = build_headers(header_of(std::string("From: ") + row.from + "\nSubject: s\n\n"), r);
    CHECK(h.outgoing.find(row.want) != std::string::npos);
    CHECK(h.outgoing.find(std::string("Reply-To: ") + row.from + "\n") != std::string::npos);
    // The archive keeps the author's own From.
    CHECK(h.archive.find(std::string("From: ") + row.from + "\n") != std::string::npos);
  }
  // An existing Reply-To stays the only one.
  auto h = build_headers(header_of("From: My Name 11 <t11@example.org>\nReply-To: R <r@example.org>\n\n"), r);
  CHECK(h.outgoing.find("Reply-To: R <r@example.org>\n") != std::string::npos);
  CHECK(h.outgoing.find("Reply-To:", h.outgoing.find("Reply-To:") + 1) == std::string::npos);
  // replytolist: the author goes to Cc, before or after an existing Cc.
  r.replytolist = true;
  h = build_headers(header_of("Cc: cc14@example.org\nFrom: test14@example.org\n\n"), r);
  CHECK(mta::message::unfold(h.outgoing).find("Cc: cc14@example.org, test14@example.org") != std::string::npos);
  h = build_headers(header_of("From: \"N 13\" <t13@example.org>\n\n"), r);
  CHECK(h.outgoing.find("Cc: \"N 13\" <t13@example.org>\n") != std::string::npos);
  CHECK(h.outgoing.find("Reply-To: <list@example.test>\n") != std::string::npos);
}

TEST_CASE("DMARC policy through a fake resolver", "[ezmlm_post]") {
  struct Row { const char* record; std::optional<DmarcPolicy> want; };
  const Row rows[] = {
      {"", std::nullopt},
      {"p=reject; v=DMARC1", std::nullopt},
      {"v=spf1 -all", std::nullopt},
      {"v=DMARC1; p=none", DmarcPolicy::none},
      {"v=DMARC1; p=quarantine; pct=100", DmarcPolicy::quarantine},
      {"V=dmarc1;P=Reject", DmarcPolicy::reject},
  };
  for (const auto& row : rows) {
    INFO(row.record);
    CHECK(parse_dmarc(row.record) == row.want);
  }
  FakeDns dns;
  dns.records["_dmarc.yahoo.com"] = {"v=spf1", "v=DMARC1; p=reject;"};
  dns.records["_dmarc.example.net"] = {"v=DMARC1; p=quarantine"};
  CHECK(dmarc_policy("yahoo.com", dns) == DmarcPolicy::reject);
  CHECK(dmarc_policy("mail.example.net", dns) == DmarcPolicy::quarantine);  // organisational fallback
  CHECK(dmarc_policy("example.org", dns) == DmarcPolicy::none);
  CHECK(dmarc_policy("[1.2.3.4]", dns) == DmarcPolicy::none);
  dns.fail = true;
  CHECK_THROWS_AS(dmarc_policy("yahoo.com", dns), mta::TempError);
}

TEST_CASE("Content-Type parameters", "[ezmlm_post]") {
  struct Row { const char* value; const char* type; const char* boundary; };
  const Row rows[] = {
      {"", "text/plain", ""},
      {"garbage", "text/plain", ""},
      {"multipart/mixed", "multipart/mixed", ""},
      {"Multipart/Mixed; boundary=abc", "multipart/mixed", "abc"},
      {"multipart/mixed; boundary=\"a b;c\"", "multipart/mixed", "a b;c"},
      {"multipart/signed; boundary=xx;micalg=pgp-md5", "multipart/signed", "xx"},
      {"multipart/signed;\n micalg=pgp-sha1; boundary=\"yy\"", "multipart/signed", "yy"},
  };
  for (const auto& row : rows) {
    INFO(row.value);
    auto ct = parse_content_type(row.value);
    CHECK(ct.type == row.type);
    CHECK(ct.boundary == row.boundary);
  }
}

TEST_CASE("trailer: plain, quoted-printable, base64", "[ezmlm_post]") {
  BodyPlan plan;
  plan.trailer = "trailer is present\n";
  auto s = run_body("Subject: s\n\nmessage goes here\n", plan);
  CHECK(s.out == "message goes here\n\ntrailer is present\n");
  CHECK(s.archive == "message goes here\n");
  s = run_body("Subject: s\n\nno newline at end", plan);
  CHECK(s.out == "no newline at end\n\ntrailer is present\n");
  s = run_body("Subject: s\nContent-Transfer-Encoding: base64\n\nbWVzc2FnZQ==\n", plan);
  CHECK(s.out == "bWVzc2FnZQ==\nDQp0cmFpbGVyIGlzIHByZXNlbnQNCg==\n");
  plan.trailer = "caf\xe9 trailer\n";
  s = run_body("Subject: s\nContent-Transfer-Encoding: quoted-printable\n\nx=3D1\n", plan);
  CHECK(s.out == "x=3D1\n\ncaf=E9 trailer\n");
}

TEST_CASE("trailer: multipart types", "[ezmlm_post]") {
  BodyPlan plan;
  plan.trailer = "--- TRAILER ---\n";
  auto s = run_body(multipart_mixed, plan, true);
  CHECK(s.out.find("<p>hi</p>\n--XYZ\nContent-Type: text/plain; charset=us-ascii\n"
                   "Content-Transfer-Encoding: 7bit\n\n--- TRAILER ---\n--XYZ--\nepilogue\n") != std::string::npos);
  CHECK(s.archive.find("TRAILER") == std::string::npos);
  for (const char* type : {"multipart/signed", "multipart/alternative"}) {
    INFO(type);
    std::string m = multipart_mixed;
    m.replace(m.find("multipart/mixed"), 15, type);
    s = run_body(m, plan);
    CHECK(s.out.find("TRAILER") == std::string::npos);
    CHECK(s.out == s.archive);
  }
  // No closing boundary: passed through, no trailer.
  s = run_body("Content-Type: multipart/mixed; boundary=B\n\n--B\n\nx\n", plan);
  CHECK(s.out == "--B\n\nx\n");
  // Boundary parameter missing: the body passes unchanged.
  s = run_body("Content-Type: multipart/mixed\n\n--B\n\nx\n--B--\n", plan);
  CHECK(s.out == "--B\n\nx\n--B--\n");
}

TEST_CASE("mimeremove and mimekeep", "[ezmlm_post]") {
  BodyPlan plan;
  plan.filter.mode = MimeFilter::Mode::remove;
  plan.filter.types = {"text/html"};
  auto s = run_body(multipart_mixed, plan);
  CHECK(s.archive == "--XYZ\nContent-Type: text/plain\n\nhello\n--XYZ--\nepilogue\n");
  plan.filter.mode = MimeFilter::Mode::keep;
  s = run_body(multipart_mixed, plan, true);
  CHECK(s.archive == "--XYZ\nContent-Type: text/html\n\n<p>hi</p>\n--XYZ--\nepilogue\n");
  plan.filter.types = {"image/png"};
  CHECK_THROWS_AS(run_body(multipart_mixed, plan), mta::PermError);
  // A body with a wrong boundary has no part to keep.
  plan.filter.mode = MimeFilter::Mode::remove;
  CHECK_THROWS_AS(run_body("Content-Type: multipart/mixed; boundary=Q\n\nno parts\n", plan), mta::PermError);
}

TEST_CASE("subject normalisation and index entries", "[ezmlm_post]") {
  struct Row { const char* raw; const char* prefix; const char* stripped; bool reply; };
  const Row rows[] = {
      {"", "", "", false},
      {"   ", "[PFX]", "", false},
      {"topic", "", "topic", false},
      {"Re: topic", "", "topic", true},
      {"RE: AW: Re[2]: Re^3: topic", "", "topic", true},
      {"Hello: world", "", "Hello: world", false},
      {"Re: [list 12] topic", "[list #]", "topic", true},
      {"[list 3] Re: topic", "[list #]", "topic", true},
      {"topic-Reply", "", "topic", true},
      {"=?iso-8859-1?Q?caf=E9?= =?iso-8859-1?B?IGF1?= lait", "", "caf\xe9 au lait", false},
      {"=?broken?X?abc?=", "", "=?broken?X?abc?=", false},
      {"folded\n\tsubject\r", "", "folded subject", false},
  };
  for (const auto& row : rows) {
    INFO(row.raw);
    auto s = normalise_subject(row.raw, row.prefix);
    CHECK(s.stripped == row.stripped);
    CHECK(s.reply == row.reply);
  }
  CHECK(index_entry(1, "ncgeelkcdoljapffamkl", "Re: topic 1", "24 Nov 2026 12:00:01 -0000",
                    "ocfdaobdgcmcjnkcpeid", "Poster 1") ==
        "1: ncgeelkcdoljapffamkl Re: topic 1\n\t24 Nov 2026 12:00:01 -0000;ocfdaobdgcmcjnkcpeid Poster 1\n");
  CHECK(index_date("from x by y; 1 Jan 2026 00:00:00 -0000", "") == "1 Jan 2026 00:00:00 -0000");
  CHECK(index_date("", " Thu, 1 Jan 2026") == "Thu, 1 Jan 2026");
  auto a = author_of("\"Poster 1\" <poster1-x@example.com>");
  CHECK(a.name == "Poster 1");
  CHECK(a.hash_key == "<poster1@example.com");
  a = author_of("user@example.com (Some One)");
  CHECK(a.name == "Some One");
  CHECK(a.hash_key == "user@example.com");
  a = author_of("");
  CHECK(a.name.empty());
}

TEST_CASE("num, archive files and the index", "[ezmlm_post]") {
  lettershop_test::TempDir tmp("ezpost");
  CHECK_FALSE(read_num(tmp.path));
  write_num(tmp.path, {5, 3});
  CHECK(mta::io::read_file(tmp.path / "num") == "5:3\n");
  CHECK(read_num(tmp.path) == Num{5, 3});
  mta::io::replace_file(tmp.path / "num", "garbage\n");
  CHECK_THROWS_AS(read_num(tmp.path), mta::TempError);
  CHECK(size_units(127) == 0);
  CHECK(size_units(128) == 1);
  std::filesystem::create_directory(tmp.path / "archive");
  {
    ArchiveWriter w(tmp.path, 101);
    w.out().write("abandoned\n");
  }
  CHECK_FALSE(std::filesystem::exists(tmp.path / "archive/1/01"));
  CHECK_FALSE(std::filesystem::exists(tmp.path / "archive/1/01n"));
  {
    ArchiveWriter w(tmp.path, 101);
    w.out().write("kept\n");
    w.commit();
  }
  struct stat st {};
  REQUIRE(::stat((tmp.path / "archive/1/01").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0744);
  update_index(tmp.path, 102, "102: h s\n\td;a b\n");
  update_index(tmp.path, 101, "101: h s\n\td;a b\n");
  update_index(tmp.path, 102, "102: h2 s2\n\td;a b\n");
  CHECK(mta::io::read_file(tmp.path / "archive/1/index") == "101: h s\n\td;a b\n102: h2 s2\n\td;a b\n");
}

TEST_CASE("ezmlm-send's split commit: sync, then rename", "[ezmlm_post]") {
  lettershop_test::TempDir tmp("ezsplit");
  std::filesystem::create_directory(tmp.path / "archive");
  update_index(tmp.path, 201, "201: h s\n\td;a b\n");
  // Synced and staged but not published (the queue refused): nothing changes.
  {
    ArchiveWriter w(tmp.path, 202);
    w.out().write("refused\n");
    w.sync();
    IndexUpdate index(tmp.path, 202, "202: h s\n\td;a b\n");
    CHECK(mta::io::read_file(tmp.path / "archive/2/indexn"));
  }
  CHECK_FALSE(std::filesystem::exists(tmp.path / "archive/2/02"));
  CHECK_FALSE(std::filesystem::exists(tmp.path / "archive/2/02n"));
  CHECK_FALSE(std::filesystem::exists(tmp.path / "archive/2/indexn"));
  CHECK(mta::io::read_file(tmp.path / "archive/2/index") == "201: h s\n\td;a b\n");
  // Synced, then committed without its own directory fsync, index published.
  {
    ArchiveWriter w(tmp.path, 202);
    w.out().write("sent\n");
    w.sync();
    IndexUpdate index(tmp.path, 202, "202: h2 s2\n\td;a b\n");
    w.commit(false);
    index.publish();
  }
  struct stat st {};
  REQUIRE(::stat((tmp.path / "archive/2/02").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0744);
  CHECK(mta::io::read_file(tmp.path / "archive/2/02") == "sent\n");
  CHECK(mta::io::read_file(tmp.path / "archive/2/index") == "201: h s\n\td;a b\n202: h2 s2\n\td;a b\n");
  CHECK_FALSE(std::filesystem::exists(tmp.path / "archive/2/indexn"));
}

TEST_CASE("QueueClient streams the envelope", "[ezmlm_post]") {
  lettershop_test::TempDir tmp("ezqq");
  std::filesystem::create_directory(tmp.path / "bin");
  mta::io::replace_file(tmp.path / "bin/qq", "#!/bin/sh\ncat > msg.out && cat <&1 > env.out\n", 0755);
  const char* old = std::getenv("QMAILQUEUE");
  ::setenv("QMAILQUEUE", (tmp.path / "bin/qq").c_str(), 1);
  {
    mta::QueueClient qc(mta::Home{tmp.path});
    qc.put("Subject: x\n\nbody\n");
    auto result = qc.finish("list-return-1-@h-@[]", [](const mta::QueueClient::RecipientSink& rcpt) {
      for (int i = 0; i < 20000; ++i) rcpt("user" + std::to_string(i) + "@example.org");
    });
    CHECK(result.ok());
  }
  auto env = mta::io::read_file(tmp.path / "env.out");
  REQUIRE(env);
  CHECK(env->substr(0, 24) == std::string("Flist-return-1-@h-@[]\0Tu", 24));
  CHECK(env->substr(env->size() - 24) == std::string("Tuser19999@example.org\0\0", 24));
  CHECK(std::count(env->begin(), env->end(), '\0') == 20002);
  // A recipient source that throws abandons the queue: nothing queued.
  {
    mta::QueueClient qc(mta::Home{tmp.path});
    qc.put("x\n");
    CHECK_THROWS_AS(qc.finish("s", [](const mta::QueueClient::RecipientSink&) { throw mta::TempError("db"); }),
                    mta::TempError);
  }
  // `meanwhile` runs after the envelope is closed, while the queue program
  // still runs; its exception comes back after the wait.
  mta::io::replace_file(tmp.path / "bin/qq", "#!/bin/sh\ncat > msg.out && cat <&1 > env.out && sleep 0.2 && echo done > qq.done\n", 0755);
  {
    mta::QueueClient qc(mta::Home{tmp.path});
    qc.put("x\n");
    bool ran = false;
    auto result = qc.finish("s", [](const mta::QueueClient::RecipientSink& rcpt) { rcpt("a@b"); }, [&] {
      ran = true;
      CHECK_FALSE(std::filesystem::exists(tmp.path / "qq.done"));  // the queue is still at work
    });
    CHECK(ran);
    CHECK(result.ok());
    CHECK(std::filesystem::exists(tmp.path / "qq.done"));  // and finish waited for it
  }
  {
    mta::QueueClient qc(mta::Home{tmp.path});
    qc.put("x\n");
    std::filesystem::remove(tmp.path / "qq.done");
    CHECK_THROWS_AS(qc.finish("s", [](const mta::QueueClient::RecipientSink& rcpt) { rcpt("a@b"); },
                              [] { throw mta::TempError("archive"); }),
                    mta::TempError);
    CHECK(std::filesystem::exists(tmp.path / "qq.done"));  // waited for before the rethrow
    CHECK(mta::io::read_file(tmp.path / "env.out") == std::string("Fs\0Ta@b\0\0", 9));
  }
  if (old) ::setenv("QMAILQUEUE", old, 1);
  else ::unsetenv("QMAILQUEUE");
}
