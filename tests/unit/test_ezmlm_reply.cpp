// The responder's mail (ezmlm/lib/reply.h): the exact header order of an
// ezmlm-manage reply, the request copy with copylines, the :Q/:B multipart
// form, and the loop rule.
#include <catch2/catch.hpp>

#include <fstream>

#include "ezmlm/lib/cookie.h"
#include "ezmlm/lib/reply.h"
#include "mta/core/exitcodes.h"
#include "tmpdir.h"

using namespace ezmlm;
namespace fs = std::filesystem;

namespace {
using lettershop_test::put;

struct List {
  lettershop_test::TempDir tmp{"ezmlm-reply"};
  Env env = Env::defaults();
  List() {
    put(tmp.path / "outlocal", "list\n");
    put(tmp.path / "outhost", "example.test\n");
    put(tmp.path / "text/top", "Hello from <#l#>@<#h#>.\n");
    put(tmp.path / "text/sub-nop", "<=a=>\narchived\n<==>\nAlready: <#A#>\n");
    put(tmp.path / "text/bottom", "--- copy:\n");
    fs::create_directories(tmp.path / "etc/default");
    env.etc = (tmp.path / "etc").string();
  }
  ListDir dir() const { return ListDir(tmp.path, env); }
};

mta::message::Header header_of(std::string text) {
  auto in = mta::io::Reader::from_string(std::move(text));
  return mta::message::read_header(in);
}

// The field names of a composed mail's header, in order.
std::vector<std::string> names(std::string_view mail) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < mail.size()) {
    auto nl = mail.find('\n', pos);
    std::string_view line = mail.substr(pos, nl - pos);
    if (line.empty()) break;
    if (line[0] != ' ' && line[0] != '\t') out.emplace_back(line.substr(0, line.find(':')));
    pos = nl + 1;
  }
  return out;
}
}  // namespace

TEST_CASE("the loop rule: automatic mail is never answered", "[ezmlm][reply]") {
  struct Row { std::string header; std::string sender; LoopReason want; };
  const std::vector<Row> rows = {
      {"", "", LoopReason::bounce_sender},
      {"", "#@[]", LoopReason::bounce_sender},
      {"", "MAILER-DAEMON@example.org", LoopReason::daemon_sender},
      {"", "mailer-daemon", LoopReason::daemon_sender},
      {"Auto-Submitted: auto-replied\n", "u@x.org", LoopReason::auto_submitted},
      {"AUTO-SUBMITTED: Auto-Generated (vacation)\n", "u@x.org", LoopReason::auto_submitted},
      {"Auto-Submitted:\n  auto-replied\n", "u@x.org", LoopReason::auto_submitted},
      {"Precedence: bulk\n", "u@x.org", LoopReason::precedence},
      {"Precedence: JUNK\n", "u@x.org", LoopReason::precedence},
      {"Precedence: list\n", "u@x.org", LoopReason::precedence},
      {"Mailing-List: contact x-help@y\n", "u@x.org", LoopReason::mailing_list},
      {"X-Mailing-List: x\n", "u@x.org", LoopReason::mailing_list},
      {"List-Id: <x.y>\n", "u@x.org", LoopReason::list_header},
      {"list-unsubscribe: <mailto:x>\n", "u@x.org", LoopReason::list_header},
      // Not automatic:
      {"Auto-Submitted: no\n", "u@x.org", LoopReason::none},
      {"Auto-Submitted: No (comment)\n", "u@x.org", LoopReason::none},
      {"Precedence: first-class\n", "u@x.org", LoopReason::none},
      {"Subject: list-help\nListed: yes\n", "u@x.org", LoopReason::none},
      {"From: MAILER-DAEMON@x\n", "daemon@x.org", LoopReason::none},
  };
  for (const auto& r : rows) {
    INFO(r.header << "|" << r.sender);
    auto h = header_of(r.header + "\n");
    CHECK(loop_reason(h, r.sender) == r.want);
    CHECK(must_not_answer(h, r.sender) == (r.want != LoopReason::none));
    if (r.want != LoopReason::none) CHECK_FALSE(loop_reason_text(r.want).empty());
  }
}

TEST_CASE("read_request keeps the header and copylines body lines", "[ezmlm][reply]") {
  const std::string mail = "Received: one\nSubject: x\n\nline 1\nline 2\nline 3";
  for (unsigned long n : {0ul, 1ul, 2ul, 3ul, 9ul}) {
    for (bool trickle : {false, true}) {
      INFO(n << " trickle " << trickle);
      auto in = mta::io::Reader::from_string(mail, trickle);
      Request r = read_request(in, "u@x.org", n);
      CHECK(r.header.fields.size() == 2);
      CHECK(r.body_lines.size() == std::min(n, 3ul));
      if (n >= 3) CHECK(r.body_lines[2] == "line 3\n");
      if (n >= 1) CHECK(r.body_lines[0] == "line 1\n");
    }
  }
}

TEST_CASE("a manage reply has exactly ezmlm-manage's headers in its order", "[ezmlm][reply]") {
  List l;
  put(l.tmp.path / "listid", "Test list <list.example.test>\n");
  ListDir dir = l.dir();
  auto in = mta::io::Reader::from_string(
      "Delivered-To: list-subscribe@example.test\nReceived: by host\nSubject: hi\nTo: x\n\nbody 1\nbody 2\n");
  Request req = read_request(in, "u@x.org", 1);
  Reply r(dir, "ezmlm-manage");
  r.from = "list-help@example.test";
  r.to = "u@x.org";
  r.subject = "WELCOME to list@example.test";
  r.reply_to = "list-sc.1.h-u=x.org@example.test";
  r.extra.emplace_back("List-Unsubscribe", "<mailto:list-unsubscribe-u=x.org@example.test>");
  r.tags.set('A', "u@x.org");
  r.text("top");
  r.text("sub-nop");
  r.bottom(req, false);
  std::string mail = r.compose(1795536000, 4242);
  INFO(mail);
  const std::vector<std::string> want = {
      "Mailing-List", "List-ID", "List-Help", "List-Post", "List-Subscribe", "Date", "Message-ID", "From", "To",
      "Delivered-To", "Delivered-To", "Received", "MIME-Version", "Content-Type", "Reply-To", "List-Unsubscribe",
      "Subject"};
  CHECK(names(mail) == want);
  CHECK(mail.find("Mailing-List: contact list-help@example.test; run by ezmlm\n") == 0);
  CHECK(mail.find("\nList-Help: <mailto:list-help@example.test>\n") != std::string::npos);
  CHECK(mail.find("\nList-Post: <mailto:list@example.test>\n") != std::string::npos);
  CHECK(mail.find("\nList-Subscribe: <mailto:list-subscribe@example.test>\n") != std::string::npos);
  CHECK(mail.find("\nDate: 24 Nov 2026 16:00:00 -0000\n") != std::string::npos);
  CHECK(mail.find("\nMessage-ID: <1795536000.4242.ezmlm@example.test>\n") != std::string::npos);
  CHECK(mail.find("\nDelivered-To: responder for list@example.test\n"
                  "Delivered-To: list-subscribe@example.test\nReceived: by host\nMIME-Version: 1.0\n"
                  "Content-Type: text/plain; charset=us-ascii\n") != std::string::npos);
  // Body: texts in order, no archived section (flag a off), then the copy.
  auto body = mail.substr(mail.find("\n\n") + 2);
  CHECK(body ==
        "Hello from list@example.test.\nAlready: u@x.org\n--- copy:\nReturn-Path: <u@x.org>\n"
        "Delivered-To: list-subscribe@example.test\nReceived: by host\nSubject: hi\nTo: x\n\nbody 1\n");
}

TEST_CASE("omitbottom keeps the trace lines but drops bottom and copy", "[ezmlm][reply]") {
  List l;
  ListDir dir = l.dir();
  auto in = mta::io::Reader::from_string("Received: by host\nSubject: hi\n\nbody\n");
  Request req = read_request(in, "u@x.org", 0);
  Reply r(dir, "ezmlm-warn");
  r.list_headers = false;
  r.responder_line = false;
  r.from = "list-help@example.test";
  r.to = "u@x.org";
  r.subject = "a subject line";
  r.trace(req);
  r.text("top");
  r.bottom(req, true);
  std::string mail = r.compose(1, 2);
  INFO(mail);
  CHECK(names(mail) == std::vector<std::string>{"Mailing-List", "Date", "Message-ID", "From", "To", "Received",
                                                "MIME-Version", "Content-Type", "Subject"});
  CHECK(mail.substr(mail.find("\n\n") + 2) == "Hello from list@example.test.\n");
}

TEST_CASE("a :Q or :B charset makes a multipart reply with the copy as message/rfc822", "[ezmlm][reply]") {
  for (std::string enc : {"Q", "B"}) {
    INFO(enc);
    List l;
    put(l.tmp.path / "charset", "iso-8859-1:" + enc + "\n");
    put(l.tmp.path / "text/top", "caf\xe9 = 1\n");
    ListDir dir = l.dir();
    auto in = mta::io::Reader::from_string("Subject: hi\n\n");
    Request req = read_request(in, "u@x.org", 0);
    Reply r(dir, "ezmlm-manage");
    r.from = "list-help@example.test";
    r.to = "u@x.org";
    r.subject = "a subject line";
    r.text("top");
    r.bottom(req, false);
    std::string mail = r.compose(100, 7);
    INFO(mail);
    const std::string boundary = makehash("<100.7.ezmlm@example.test>");
    CHECK(mail.find("\nContent-Type: multipart/mixed; boundary=" + boundary + "\n") != std::string::npos);
    CHECK(mail.find("\n--" + boundary + "\nContent-Type: text/plain; charset=iso-8859-1\n") != std::string::npos);
    if (enc == "Q") CHECK(mail.find("Content-Transfer-Encoding: quoted-printable\n\ncaf=E9 =3D 1\n") != std::string::npos);
    else CHECK(mail.find("Content-Transfer-Encoding: base64\n") != std::string::npos);
    CHECK(mail.find("\n--" + boundary + "\nContent-Type: message/rfc822\n\nReturn-Path: <u@x.org>\nSubject: hi\n") !=
          std::string::npos);
    CHECK(mail.size() >= boundary.size() + 5);
    CHECK(mail.substr(mail.size() - boundary.size() - 5) == "--" + boundary + "--\n");
  }
}

TEST_CASE("-a prints which text is sent; a missing text is permanent", "[ezmlm][reply]") {
  List l;
  ListDir dir = l.dir();
  Reply r(dir, "ezmlm-manage");
  CHECK_THROWS_AS(r.text("no-such-text"), mta::PermError);
}
