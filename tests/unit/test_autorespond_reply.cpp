// Unit tests: autorespond — MESSAGE templates, the reply exactly as built
// (headers, %S/%s, threading, MIME for UTF-8), quoting of the text part
// only, MIME helpers, and bad input mail handed to a whole run.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "autorespond/mime.h"
#include "autorespond/reply.h"
#include "autorespond/run.h"
#include "autorespond/template.h"
#include "mta/core/exitcodes.h"
#include "tmpdir.h"

namespace {

namespace fs = std::filesystem;
using autorespond::Template;

mta::message::Header header_of(const std::string& text, std::string* body = nullptr) {
  auto in = mta::io::Reader::from_string(text);
  auto h = mta::message::read_header(in);
  if (body) *body = h.body_start + in.read_all();
  return h;
}

using lettershop_test::put;

autorespond::ReplyOptions options() {
  autorespond::ReplyOptions o;
  o.sender = "mary@example.org";
  o.from = "joe@example.test";
  o.envelope_sender = "joe@example.test";
  o.host = "example.test";
  o.now = 1700000000;  // 14 Nov 2023 22:13:20 UTC
  o.pid = 4242;
  return o;
}

const std::string incoming =
    "From: Mary <mary@example.org>\n"
    "To: joe@example.test\n"
    "Subject: Lunch?\n"
    "Message-ID: <abc@example.org>\n"
    "References: <r1@example.org>\n"
    "\n"
    "Shall we?\n";

}  // namespace

TEST_CASE("bad MESSAGE files are refused with a reason") {
  struct Row {
    std::string text;
    std::string why;
  };
  const std::vector<Row> rows = {
      {"", "empty"},
      {"\n\n  \n", "empty"},
      {"From: joe@example.test\nSubject: away\n", "no text"},
      {"From: joe@example.test\nSubject: away\n\n\n", "no text"},
      {std::string("Subject: x\n\nbin\0ary\n", 21), "binary"},
      {"Subject: x\n\nGr\xFC\xDF" "e\n", "not UTF-8"},
  };
  for (const auto& r : rows) {
    INFO("template: " << r.text);
    try {
      autorespond::parse_template(r.text);
      FAIL("accepted");
    } catch (const autorespond::TemplateError& e) {
      CHECK_THAT(e.what(), Catch::Contains(r.why));
    }
  }
  lettershop_test::TempDir tmp("ar-tmpl");
  CHECK_THROWS_AS(autorespond::load_template(tmp.path / "missing"), autorespond::TemplateError);
  // A directory is not a message file either.
  CHECK_THROWS_AS(autorespond::load_template(tmp.path), autorespond::TemplateError);
}

TEST_CASE("MESSAGE file: its own header fields are headers, the rest body") {
  Template t = autorespond::parse_template(
      "From: Joe <joe@example.test>\nSubject: Away\nContent-Type: text/plain; charset=utf-8\n\nI am away.\n");
  REQUIRE(t.header.fields.size() == 3);
  CHECK(t.header.find("Subject")->value() == " Away");
  CHECK(t.body == "I am away.\n");
  // A plain text file (2.0's headers-in-body habit aside) is all body.
  Template plain = autorespond::parse_template("I am away until Monday.\nJoe\n");
  CHECK(plain.header.fields.empty());
  CHECK(plain.body == "I am away until Monday.\nJoe\n");
  // An 8-bit text with a declared charset is the author's choice.
  Template latin = autorespond::parse_template("Content-Type: text/plain; charset=iso-8859-1\n\nGr\xFC\xDF" "e\n");
  CHECK(latin.body == "Gr\xFC\xDF" "e\n");
}

TEST_CASE("substitution: %S, %s, %% and stray percents") {
  CHECK(autorespond::substitute("Re: %S", "Lunch", "m@x") == "Re: Lunch");
  CHECK(autorespond::substitute("%s wrote %S", "Lunch", "m@x") == "m@x wrote Lunch");
  CHECK(autorespond::substitute("100%% sure, 50% off, %x, %", "S", "s") == "100% sure, 50% off, %x, %");
  CHECK(autorespond::substitute("%%S", "S", "s") == "%S");
}

TEST_CASE("the reply, exactly: headers, %S/%s, threading, RFC 3834 marks") {
  Template t = autorespond::parse_template(
      "From: Joe Example <joe@example.test>\n"
      "Subject: Away: %S\n"
      "Reply-To: joe.backup@example.test\n"
      "Date: Mon, 1 Jan 2001 00:00:00 +0000\n"
      "\n"
      "I am away until Monday.\n"
      "Your mail from %s about \"%S\" will wait.\n");
  std::string body;
  auto h = header_of(incoming, &body);
  auto reply = autorespond::build_reply(t, h, body, options());
  CHECK(reply.text ==
        "Date: 14 Nov 2023 22:13:20 -0000\n"
        "Message-ID: <1700000000.4242.autorespond@example.test>\n"
        "From: Joe Example <joe@example.test>\n"
        "To: mary@example.org\n"
        "Subject: Away: Lunch?\n"
        "In-Reply-To: <abc@example.org>\n"
        "References: <r1@example.org> <abc@example.org>\n"
        "Auto-Submitted: auto-replied\n"
        "Precedence: bulk\n"
        "Reply-To: joe.backup@example.test\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=us-ascii\n"
        "Content-Transfer-Encoding: 7bit\n"
        "\n"
        "I am away until Monday.\n"
        "Your mail from mary@example.org about \"Lunch?\" will wait.\n");
  CHECK(reply.envelope.sender == "joe@example.test");
  CHECK(reply.envelope.recipients == std::vector<std::string>{"mary@example.org"});
}

TEST_CASE("reply defaults: From from ARSENDER, Subject 'Auto:', no threading without Message-ID") {
  Template t = autorespond::parse_template("I am away.\n");
  struct Row {
    std::string incoming;
    std::string subject_line;
    bool threaded;
  };
  const std::vector<Row> rows = {
      {"", "Subject: Auto: Your message\n", false},
      {"To: joe@example.test\n\nhi\n", "Subject: Auto: Your message\n", false},
      {"Subject: Lunch?\nMessage-ID: garbage\n\nhi\n", "Subject: Auto: Lunch?\n", false},
      {"Subject:   Lunch?  \nMessage-ID: <x@y>\n\nhi\n", "Subject: Auto: Lunch?\n", true},
  };
  for (const auto& r : rows) {
    INFO("incoming: " << r.incoming);
    auto o = options();
    o.envelope_sender = "";  // --null-sender
    o.copy_to = {"joe@elsewhere.example"};
    auto reply = autorespond::build_reply(t, header_of(r.incoming), "", o);
    CHECK_THAT(reply.text, Catch::Contains("\nFrom: joe@example.test\nTo: mary@example.org\n" + r.subject_line));
    CHECK((reply.text.find("\nIn-Reply-To: <x@y>\nReferences: <x@y>\n") != std::string::npos) == r.threaded);
    CHECK((reply.text.find("In-Reply-To") != std::string::npos) == r.threaded);
    CHECK(reply.envelope.sender.empty());
    CHECK(reply.envelope.recipients == std::vector<std::string>{"mary@example.org", "joe@elsewhere.example"});
  }
}

TEST_CASE("reply with UTF-8: encoded-word subject and From, quoted-printable body") {
  Template t = autorespond::parse_template(
      "From: J\xC3\xB6rg <joerg@example.test>\n"
      "Subject: Abwesend: %S\n"
      "\n"
      "Ich bin bis Montag nicht da. Gr\xC3\xBC\xC3\x9F" "e\n");
  auto h = header_of("Subject: =?ISO-8859-1?Q?Gr=FC=DFe?=\n\n");
  auto reply = autorespond::build_reply(t, h, "", options());
  CHECK_THAT(reply.text, Catch::Contains("\nFrom: =?UTF-8?B?SsO2cmc=?= <joerg@example.test>\n"));
  CHECK_THAT(reply.text, Catch::Contains("\nSubject: =?UTF-8?B?QWJ3ZXNlbmQ6IEdyw7zDn2U=?=\n"));
  CHECK_THAT(reply.text, Catch::EndsWith(
                             "MIME-Version: 1.0\n"
                             "Content-Type: text/plain; charset=utf-8\n"
                             "Content-Transfer-Encoding: quoted-printable\n"
                             "\n"
                             "Ich bin bis Montag nicht da. Gr=C3=BC=C3=9Fe\n"));
  // No raw 8-bit byte anywhere in the reply.
  CHECK(autorespond::mime::is_ascii(reply.text));
}

TEST_CASE("a subject cannot smuggle header lines into the reply") {
  Template t = autorespond::parse_template("Subject: Re: %S\n\nAway.\n");
  // "=0D=0A" decodes to CR LF inside an encoded word.
  auto h = header_of("Subject: =?UTF-8?Q?hi=0D=0ABcc:_victim@example.org?=\n\n");
  auto reply = autorespond::build_reply(t, h, "", options());
  CHECK_THAT(reply.text, Catch::Contains("\nSubject: Re: hi  Bcc: victim@example.org\n"));
  CHECK(reply.text.find("\nBcc:") == std::string::npos);
}

TEST_CASE("quoting: only the first text/plain part of a multipart original, decoded") {
  Template t = autorespond::parse_template("Subject: Away\n\nI am away.\n");
  std::string body;
  auto h = header_of(
      "Subject: Plans\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=outer\n"
      "\n"
      "preamble\n"
      "--outer\n"
      "Content-Type: multipart/alternative; boundary=\"in ner\"\n"
      "\n"
      "--in ner\n"
      "Content-Type: text/plain; charset=iso-8859-1\n"
      "Content-Transfer-Encoding: quoted-printable\n"
      "\n"
      "Hello =3D world, gr=FC=DFe\n"
      "\n"
      "second line that is soft=\n"
      "ly broken\n"
      "--in ner\n"
      "Content-Type: text/html\n"
      "\n"
      "<p>SECRET HTML</p>\n"
      "--in ner--\n"
      "--outer\n"
      "Content-Type: application/octet-stream\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "QVRUQUNITUVOVA==\n"
      "--outer--\n",
      &body);
  auto o = options();
  o.quote = true;
  auto reply = autorespond::build_reply(t, h, body, o);
  CHECK_THAT(reply.text, Catch::EndsWith(
                             "Content-Type: text/plain; charset=utf-8\n"
                             "Content-Transfer-Encoding: quoted-printable\n"
                             "\n"
                             "I am away.\n"
                             "\n"
                             "-------- Original Message --------\n"
                             "> Hello =3D world, gr=C3=BC=C3=9Fe\n"
                             ">\n"
                             "> second line that is softly broken\n"));
  CHECK(reply.text.find("SECRET") == std::string::npos);
  CHECK(reply.text.find("ATTACHMENT") == std::string::npos);
  CHECK(reply.text.find("QVRUQUNITUVOVA") == std::string::npos);

  // An HTML-only original quotes nothing; a plain one is quoted whole.
  auto html = header_of("Content-Type: text/html\n\n");
  auto r2 = autorespond::build_reply(t, html, "<p>x</p>\n", o);
  CHECK(r2.text.find("Original Message") == std::string::npos);
  auto plain = header_of("Subject: x\n\n");
  auto r3 = autorespond::build_reply(t, plain, "line one\nline two\n", o);
  CHECK_THAT(r3.text, Catch::EndsWith("-------- Original Message --------\n> line one\n> line two\n"));
}

TEST_CASE("quoting is cut at max_quote_bytes") {
  Template t = autorespond::parse_template("Away.\n");
  auto o = options();
  o.quote = true;
  std::string big;
  for (int k = 0; k < 20000; ++k) big += "0123456789\n";
  auto r = autorespond::build_reply(t, header_of("\n"), big, o);
  CHECK_THAT(r.text, Catch::EndsWith("> [...]\n"));
  CHECK(r.text.size() < autorespond::max_quote_bytes + 30000);
}

TEST_CASE("a MIME template is sent as it is") {
  Template t = autorespond::parse_template(
      "Subject: Away\n"
      "Content-Type: multipart/alternative; boundary=b\n"
      "\n"
      "--b\nContent-Type: text/plain\n\n100%S away\n--b--\n");
  auto r = autorespond::build_reply(t, header_of("Subject: x\n\n"), "", options());
  CHECK_THAT(r.text, Catch::EndsWith(
                         "MIME-Version: 1.0\n"
                         "Content-Type: multipart/alternative; boundary=b\n"
                         "\n"
                         "--b\nContent-Type: text/plain\n\n100%S away\n--b--\n"));
}

TEST_CASE("MIME helpers: encoded words, base64, quoted-printable, Content-Type") {
  using namespace autorespond::mime;
  struct Dec {
    std::string in, want;
  };
  const std::vector<Dec> rows = {
      {"=?", "=?"},
      {"=?utf-8?X?abc?=", "=?utf-8?X?abc?="},
      {"=?koi8-r?B?8NLJ18XU?=", "=?koi8-r?B?8NLJ18XU?="},
      {"=?utf-8?B?w7w=?=", "\xC3\xBC"},
      {"=?UTF-8?Q?a_b?= =?UTF-8?Q?_c?=", "a b c"},
      {"x =?ISO-8859-1?Q?=FC?= y", "x \xC3\xBC y"},
      {" folded\n\tvalue ", "folded\tvalue"},
      {"=?utf-8?B?/w==?=", "?"},
  };
  for (const auto& r : rows) {
    INFO("value " << r.in);
    CHECK(decode_words(r.in) == r.want);
  }
  CHECK(qp_encode("trailing \nx=y\n") == "trailing=20\nx=3Dy\n");
  std::string longline(100, 'a');
  std::string enc = qp_encode(longline + "\n");
  CHECK(enc == std::string(75, 'a') + "=\n" + std::string(25, 'a') + "\n");
  CHECK(encode_unstructured("plain", 9) == "plain");
  // A long UTF-8 subject is split into words of whole characters and folded.
  std::string umlauts;
  for (int k = 0; k < 40; ++k) umlauts += "\xC3\xBC";
  std::string words = encode_unstructured(umlauts, 9);
  CHECK(words.find("\n ") != std::string::npos);
  for (std::size_t pos = 0; pos < words.size();) {
    std::size_t nl = words.find('\n', pos);
    std::string line = words.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    CHECK(line.size() <= 78);
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  CHECK(decode_words(words) == umlauts);
  auto ct = parse_content_type("Multipart/Mixed; BOUNDARY=\"a \\\"b\\\"\"; charset=x");
  CHECK(ct.type == "multipart/mixed");
  CHECK(ct.param("boundary") == "a \"b\"");
  CHECK(ct.param("charset") == "x");
  CHECK(parse_content_type("garbage").type == "text/plain");
  CHECK(parse_content_type("").type == "text/plain");
  CHECK(is_utf8("\xC3\xBC"));
  CHECK_FALSE(is_utf8("\xC0\xAF"));       // overlong
  CHECK_FALSE(is_utf8("\xED\xA0\x80"));   // surrogate
  CHECK_FALSE(is_utf8("\xC3"));
}

TEST_CASE("the command line: 2.0's operands, our options, usage exits 111") {
  auto parse = [](std::vector<std::string> args) {
    args.insert(args.begin(), "autorespond");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    return autorespond::parse_args(static_cast<int>(args.size()), argv.data());
  };
  const std::vector<std::vector<std::string>> bad = {
      {},
      {"10000", "5", "msg"},
      {"10000", "5", "msg", "dir", "1", "x@y", "extra"},
      {"ten", "5", "msg", "dir"},
      {"10000", "-5", "msg", "dir"},
      {"10000", "5", "msg", "dir", "yes"},
      {"--start", "tomorrow", "10000", "5", "msg", "dir"},
      {"--copy-to", "nobody", "10000", "5", "msg", "dir"},
      {"--frobnicate", "10000", "5", "msg", "dir"},
  };
  for (const auto& b : bad) {
    INFO("args " << b.size());
    try {
      parse(b);
      FAIL("accepted");
    } catch (const mta::ExitError& e) {
      CHECK(e.exit_code() == 111);
    }
  }
  auto o = parse({"10000", "5", "./message", "./ar"});
  CHECK(o.window == 10000);
  CHECK(o.limit == 5);
  CHECK(o.message == "./message");
  CHECK(o.dir == "./ar");
  CHECK(o.quote);
  CHECK(o.arsender == "$");
  CHECK_FALSE(o.null_sender);
  o = parse({"--null-sender", "--owner", "joe@example.test", "--owner=j@example.test", "--copy-to", "c@x.y",
             "--start", "2026-07-01", "--end", "2026-07-31", "3600", "1", "m", "d", "0", "+"});
  CHECK(o.null_sender);
  CHECK(o.owners == std::vector<std::string>{"joe@example.test", "j@example.test"});
  CHECK(o.copy_to == std::vector<std::string>{"c@x.y"});
  CHECK_FALSE(o.quote);
  CHECK(o.arsender == "+");
  REQUIRE(o.start);
  REQUIRE(o.end);
  CHECK(*o.end - *o.start == 31 * 86400 - 1);
  CHECK(autorespond::parse_date("1700000000", false) == 1700000000);
  CHECK_FALSE(autorespond::parse_date("2026-13-01", false));
  CHECK_FALSE(autorespond::parse_date("", false));
}

TEST_CASE("ARSENDER: '+' empty, '$' EXT@HOST or the recipient, else itself") {
  mta::dotqmail::Env env;
  env.host = "example.test";
  env.recipient = "joe@example.test";
  env.ext = "";
  CHECK(autorespond::resolve_arsender("+", env).empty());
  CHECK(autorespond::resolve_arsender("$", env) == "joe@example.test");
  env.ext = "vacation";
  CHECK(autorespond::resolve_arsender("$", env) == "vacation@example.test");
  CHECK(autorespond::resolve_arsender("away@example.test", env) == "away@example.test");
}

TEST_CASE("bad input mail: no reply, no bounce, no record") {
  lettershop_test::TempDir tmp("ar-run");
  put(tmp.path / "message", "Subject: Away\n\nI am away.\n");
  fs::create_directory(tmp.path / "ar");
  autorespond::Options o;
  o.window = 10000;
  o.limit = 5;
  o.message = tmp.path / "message";
  o.dir = tmp.path / "ar";
  mta::dotqmail::Env env;
  env.sender = "mary@example.org";
  env.recipient = "joe@example.test";
  env.host = "example.test";
  env.dtline = "Delivered-To: joe@example.test\n";
  mta::Home home{tmp.path / "no-such-home"};  // a reply would fail to queue: 111

  struct Row {
    std::string what;
    std::string mail;
    std::string log;
  };
  std::string huge = "X-Huge: " + std::string((1 << 20) + 10, 'x') + "\n\nbody\n";
  const std::vector<Row> rows = {
      {"huge header line", huge, "autorespond: no reply to mary@example.org: bad message\n"},
      {"NUL in header", std::string("Subject: a\0b\n\nbody\n", 19), "autorespond: no reply to mary@example.org: bad message\n"},
      {"list mail", "List-Id: <x.example.org>\n\nbody\n", "autorespond: no reply to mary@example.org: list\n"},
  };
  for (const auto& r : rows) {
    INFO(r.what);
    fs::path mail = tmp.path / "mail";
    put(mail, r.mail);
    mta::io::Fd fd = mta::io::open_or_throw(mail, O_RDONLY);
    std::ostringstream log;
    CHECK(autorespond::run(o, env, home, fd.get(), 1700000000, log) == 0);
    CHECK(log.str() == r.log);
    CHECK(fs::is_empty(tmp.path / "ar"));
  }

  // Configuration trouble is temporary (111), as in 2.0.
  fs::path mail = tmp.path / "mail";
  put(mail, "Subject: hi\n\nbody\n");
  mta::io::Fd fd = mta::io::open_or_throw(mail, O_RDONLY);
  std::ostringstream log;
  auto missing_dir = o;
  missing_dir.dir = tmp.path / "nope";
  CHECK_THROWS_AS(autorespond::run(missing_dir, env, home, fd.get(), 1700000000, log), mta::TempError);
  auto missing_msg = o;
  missing_msg.message = tmp.path / "nope";
  CHECK_THROWS_AS(autorespond::run(missing_msg, env, home, fd.get(), 1700000000, log), mta::TempError);
  auto no_sender = env;
  no_sender.sender.reset();
  CHECK_THROWS_AS(autorespond::run(o, no_sender, home, fd.get(), 1700000000, log), mta::TempError);
}
