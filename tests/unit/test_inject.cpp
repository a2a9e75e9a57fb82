// Unit tests: mta/inject — qmail-inject's header rules and sendmail's
// command line, driven with a fixed clock, pid and environment.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "mta/core/exitcodes.h"
#include "mta/inject/inject.h"
#include "mta/inject/sendmail_args.h"

namespace inj = mta::inject;

namespace {
inj::Settings settings(inj::Env env = {}, std::string_view flags = "") {
  inj::Settings s;
  s.env = std::move(env);
  s.flags = inj::parse_flags(flags);
  s.rewriter = {"host", "dom.ain", "plus.dom"};
  s.idhost = "id.host";
  s.now = 811485414;  // 19 Sep 1995 04:36:54 UTC
  s.pid = 4321;
  return s;
}
inj::Result run(const std::string& message, inj::Options o = {}, const inj::Settings& s = settings()) {
  auto r = mta::io::Reader::from_string(message);
  return inj::rewrite_header(mta::message::read_header(r), o, s);
}
std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : "|") + x;
  return out;
}
int exit_of(const std::string& message, inj::Options o = {}, const inj::Settings& s = settings()) {
  try {
    run(message, o, s);
  } catch (const mta::MailError& e) {
    return e.exit_code();
  }
  return 0;
}
}  // namespace

TEST_CASE("rewriting follows rules 1 to 6 in order") {
  inj::Rewriter rw{"host", "dom.ain", "plus.dom"};
  struct Row { std::string input, expected; };
  const Row rows[] = {
      {"", ""},                                   // 1: <>
      {"#@[]", "#@[]"},                           // 1: empty literal
      {"joe@x.", "joe@x.dom.ain"},                // 3, then 6
      {"joe@", "joe@host.dom.ain"},               // 3, then 4 and 6
      {"joe", "joe@host.dom.ain"},                // 4, 6
      {"eric@mammoth.cs+", "eric@mammoth.cs.plus.dom"},  // 5
      {"joe@x+", "joe@x.plus.dom"},               // 5 (has a dot now)
      {"joe@mammoth", "joe@mammoth.dom.ain"},     // 6
      {"joe@[1.2.3.4]", "joe@[1.2.3.4]"},         // 6 skips literals
      {"joe@a.b", "joe@a.b"},
  };
  for (const auto& row : rows) {
    INFO("input: " << row.input);
    CHECK(rw.address(row.input) == row.expected);
  }
  inj::Rewriter dotless{"box+", "dom", "plus.dom"};
  CHECK(dotless.address("joe") == "joe@box.plus.dom");
  inj::Rewriter plain{"box", "dom", "p"};
  CHECK(plain.address("joe") == "joe@box.dom");
}

TEST_CASE("a source route is dropped and <@foo:> becomes <>") {
  auto r = run("To: <@a,@b:joe@x>, <@foo:>\n\n");
  CHECK(r.header.find("To: <joe@x.dom.ain>, <>\n") != std::string::npos);
  CHECK(joined(r.recipients) == "joe@x.dom.ain");
}

TEST_CASE("added fields come first, in qmail-inject's order and formats") {
  auto r = run("Subject: hi\n\nbody\n", {}, settings({{"USER", "joe"}, {"NAME", "Joe \"Q\" Public"}}));
  CHECK(r.header ==
        "Date: 19 Sep 1995 04:36:54 -0000\n"
        "Message-ID: <19950919043654.4321.qmail@id.host>\n"
        "From: \"Joe \\\"Q\\\" Public\" <joe@host.dom.ain>\n"
        "Cc: recipient list not shown: ;\n"
        "Subject: hi\n\n");
  CHECK(r.sender == "joe@host.dom.ain");
  CHECK(r.recipients.empty());
}

TEST_CASE("nothing is added that the message already has") {
  auto r = run("Date: x\nmessage-id: <y>\nFrom: z\nTO: w\n\n");
  CHECK(r.header == "Date: x\nmessage-id: <y>\nFrom: z@host.dom.ain\nTO: w@host.dom.ain\n\n");
  auto cc_only = run("Cc: w\n\n");
  CHECK(cc_only.header.find("recipient list not shown") == std::string::npos);
}

TEST_CASE("the default From follows the environment") {
  struct Row { inj::Env env; std::string flags, from, sender; };
  const std::vector<Row> rows = {
      {{}, "", "From: anonymous@host.dom.ain", "anonymous@host.dom.ain"},
      {{{"LOGNAME", "l"}, {"USER", "u"}}, "", "From: u@host.dom.ain", "u@host.dom.ain"},
      {{{"MAILUSER", "m"}, {"QMAILUSER", "q"}, {"USER", "u"}}, "", "From: q@host.dom.ain", "q@host.dom.ain"},
      {{{"USER", "u"}, {"MAILHOST", "mh"}, {"QMAILHOST", "qh.x"}}, "", "From: u@qh.x", "u@qh.x"},
      {{{"USER", "u"}, {"MAILNAME", "M N"}}, "", "From: \"M N\" <u@host.dom.ain>", "u@host.dom.ain"},
      {{{"USER", "u"}, {"NAME", "A (B)"}}, "c", "From: u@host.dom.ain (A \\(B\\))", "u@host.dom.ain"},
      {{{"USER", "u"}, {"QMAILSUSER", "su"}, {"QMAILSHOST", "sh.x"}}, "", "From: u@host.dom.ain", "su@sh.x"},
      {{{"USER", "joe smith"}}, "", "From: \"joe smith\"@host.dom.ain", "joe smith@host.dom.ain"},
      {{{"USER", "u"}}, "m", "From: u@host.dom.ain", "u-811485414.4321@host.dom.ain"},
      {{{"USER", "u"}}, "r", "From: u@host.dom.ain", "u-@host.dom.ain-@[]"},
  };
  for (const auto& row : rows) {
    INFO("flags " << row.flags << " from " << row.from);
    auto r = run("To: x@y.z\n\n", {}, settings(row.env, row.flags));
    CHECK(r.header.find("\n" + row.from + "\n") != std::string::npos);
    CHECK(r.sender == row.sender);
  }
}

TEST_CASE("the sender comes from -f, else Return-Path, else the default") {
  auto rp = run("Return-Path: <rp@x.y>\nTo: a@b.c\n\n");
  CHECK(rp.sender == "rp@x.y");
  CHECK(rp.header.find("Return-Path") == std::string::npos);
  inj::Options f;
  f.sender = "joe";
  CHECK(run("Return-Path: <rp@x.y>\n\n", f).sender == "joe@host.dom.ain");
  f.sender = "";
  CHECK(run("\n", f).sender == "");
  CHECK(run("Return-Path: <>\n\n").sender == "");
  auto s = run("Return-Path: <rp@x.y>\n\n", {}, settings({{"USER", "u"}}, "s"));
  CHECK(s.sender == "u@host.dom.ain");
  CHECK(s.header.find("Return-Path") == std::string::npos);
}

TEST_CASE("a sender with CR or LF is refused with exit 100") {
  inj::Options f;
  f.sender = "joe\n@x";
  CHECK(exit_of("\n", f) == 100);
  f.sender = "joe\r";
  CHECK(exit_of("\n", f) == 100);
  CHECK(exit_of("\n", {}, settings({{"QMAILUSER", "a\nb"}})) == 100);
  CHECK(exit_of("Return-Path: <\"a\nb\"@x>\n\n") == 100);
}

TEST_CASE("Bcc, Resent-Bcc, Return-Path and Content-Length are removed; flags f and i remove more") {
  auto r = run("Bcc: a\nContent-Length: 5\nResent-Bcc: b\nFrom: me\nMessage-ID: <m>\nTo: t\n\n", {},
               settings({{"USER", "u"}}, "fi"));
  CHECK(r.header.find("Bcc") == std::string::npos);
  CHECK(r.header.find("Content-Length") == std::string::npos);
  CHECK(r.header.find("From: me") == std::string::npos);
  CHECK(r.header.find("From: u@host.dom.ain") != std::string::npos);
  CHECK(r.header.find("<m>") == std::string::npos);
}

TEST_CASE("recipient strategies -a -h -A -H") {
  const std::string m = "To: t\nCc: c\nBcc: b\nApparently-To: p\nX-To: no\n\n";
  struct Row { inj::Strategy s; std::vector<std::string> args; std::string expected; };
  const std::vector<Row> rows = {
      {inj::Strategy::args, {"x", "y"}, "x@host.dom.ain|y@host.dom.ain"},
      {inj::Strategy::args, {}, ""},
      {inj::Strategy::header, {"x"}, "t@host.dom.ain|c@host.dom.ain|b@host.dom.ain|p@host.dom.ain"},
      {inj::Strategy::args_else_header, {"x"}, "x@host.dom.ain"},
      {inj::Strategy::args_else_header, {}, "t@host.dom.ain|c@host.dom.ain|b@host.dom.ain|p@host.dom.ain"},
      {inj::Strategy::both, {"x, y"}, "x@host.dom.ain|y@host.dom.ain|t@host.dom.ain|c@host.dom.ain|b@host.dom.ain|p@host.dom.ain"},
  };
  for (const auto& row : rows) {
    INFO("expected " << row.expected);
    inj::Options o;
    o.strategy = row.s;
    o.recipients = row.args;
    auto r = run(m, o);
    CHECK(joined(r.recipients) == row.expected);
    // Header recipient fields are rewritten whatever the strategy (notqmail #147).
    CHECK(r.header.find("To: t@host.dom.ain\n") != std::string::npos);
  }
}

TEST_CASE("a resent message takes Resent-* recipients and gets Resent-* fields") {
  auto r = run("To: t\nResent-To: rt\nResent-Bcc: rb\nFrom: f\nDate: d\n\n", {}, settings({{"USER", "u"}}));
  CHECK(joined(r.recipients) == "rt@host.dom.ain|rb@host.dom.ain");
  CHECK(r.header.starts_with("Resent-Date: 19 Sep 1995 04:36:54 -0000\n"
                             "Resent-Message-ID: <19950919043654.4321.qmail@id.host>\n"
                             "Resent-From: u@host.dom.ain\n"
                             "To: "));
  auto nort = run("Resent-From: x\n\n");
  CHECK(nort.header.find("Resent-Cc: recipient list not shown: ;\n") != std::string::npos);
  CHECK(nort.header.find("\nCc:") == std::string::npos);
}

TEST_CASE("unparsable fields: sender fields are fatal, recipient fields stay as they are") {
  CHECK(exit_of("From: <unbalanced\n\n") == 100);
  CHECK(exit_of("Reply-To: \"x\n\n") == 100);
  auto r = run("To: <broken, ok\nCc: fine\n\n");
  CHECK(r.header.find("To: <broken, ok\n") != std::string::npos);
  CHECK(joined(r.recipients) == "fine@host.dom.ain");
  inj::Options o;
  o.recipients = {"<bad"};
  CHECK(exit_of("\n", o) == 100);
}

TEST_CASE("illegal spaces between addresses become commas") {
  auto r = run("To: djb fred\n\n");
  CHECK(r.header.find("To: djb@host.dom.ain, fred@host.dom.ain\n") != std::string::npos);
}

TEST_CASE("Mail-Followup-To is added when To or Cc names a list from QMAILMFTFILE") {
  auto s = settings();
  s.mft = std::vector<std::string>{"List@Lists.Example"};
  auto r = run("To: list@lists.example\nCc: joe\n\n", {}, s);
  CHECK(r.header.find("Mail-Followup-To: list@lists.example, joe@host.dom.ain\n") != std::string::npos);
  CHECK(run("To: other@x.y\n\n", {}, s).header.find("Mail-Followup-To") == std::string::npos);
  CHECK(run("To: list@lists.example\nMail-Followup-To: z\n\n", {}, s).header.find("Mail-Followup-To: z\n") !=
        std::string::npos);
}

TEST_CASE("an invalid header line gets a blank line before it; the mbox line is kept") {
  auto r = run("From x Mon\nTo: t\nnot a field\nbody\n");
  CHECK(r.header.ends_with("MBOX-Line: From x Mon\nTo: t@host.dom.ain\n\nnot a field\n"));
}

TEST_CASE("QMAILINJECT ignores letters it does not know") {
  auto f = inj::parse_flags("csfirmxyz");
  CHECK((f.comment_from && f.strip_return_path && f.strip_from && f.strip_message_id && f.verp_recipient &&
         f.verp_message));
  auto none = inj::parse_flags("");
  CHECK_FALSE((none.comment_from || none.strip_from || none.verp_message));
}

TEST_CASE("qmail-inject's options: the last of -a -h -A -H wins, -n prints, -f takes a value") {
  std::vector<std::string> args = {"qmail-inject", "-nH", "-a", "-fjoe", "-N", "-n", "--", "-x", "y"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  auto o = inj::parse_options(static_cast<int>(argv.size()), argv.data());
  CHECK(o.print);
  CHECK(o.strategy == inj::Strategy::args);
  CHECK(o.sender == "joe");
  CHECK(joined(o.recipients) == "-x|y");
  std::vector<std::string> bad = {"qmail-inject", "-q"};
  std::vector<char*> badv;
  for (auto& a : bad) badv.push_back(a.data());
  CHECK_THROWS_AS(inj::parse_options(2, badv.data()), mta::UsageError);
}

TEST_CASE("sendmail runs qmail-inject with -a, or -H with -t") {
  auto p = inj::plan_sendmail("/usr/sbin/sendmail", {"-oi", "-t", "a@b"}, false);
  CHECK(joined(p.argv) == "bin/qmail-inject|-H|--|a@b");
  auto q = inj::plan_sendmail("sendmail", {"-i", "--", "-a"}, false);
  CHECK(joined(q.argv) == "bin/qmail-inject|-a|--|-a");
  auto ignored = inj::plan_sendmail("sendmail", {"-v", "-B", "8BITMIME", "-p", "x", "-e", "y", "-oem", "-E", "-J",
                                                  "-x", "-m", "-bm", "r"},
                                    false);
  CHECK(joined(ignored.argv) == "bin/qmail-inject|-a|--|r");
}

TEST_CASE("sendmail -f sets the sender and the From user and host, dropping -F") {
  auto p = inj::plan_sendmail("sendmail", {"-F", "Name", "-fjoe@ex.com", "r"}, false);
  CHECK(joined(p.argv) == "bin/qmail-inject|-a|-f|joe@ex.com|--|r");
  CHECK(joined(p.unsetenv) == "QMAILNAME|MAILNAME|NAME|QMAILHOST|MAILHOST");
  REQUIRE(p.setenv.size() == 2);
  CHECK(p.setenv[0] == std::pair<std::string, std::string>{"QMAILUSER", "joe"});
  CHECK(p.setenv[1] == std::pair<std::string, std::string>{"QMAILHOST", "ex.com"});
  auto f = inj::plan_sendmail("sendmail", {"-F", "Joe Q"}, false);
  REQUIRE(f.setenv.size() == 1);
  CHECK(f.setenv[0] == std::pair<std::string, std::string>{"MAILNAME", "Joe Q"});
}

TEST_CASE("sendmail -bp, mailq and -bs run the other programs") {
  CHECK(joined(inj::plan_sendmail("sendmail", {"-bp"}, false).argv) == "bin/qmail-qread");
  CHECK(joined(inj::plan_sendmail("/usr/bin/mailq", {}, false).argv) == "bin/qmail-qread");
  auto bs = inj::plan_sendmail("sendmail", {"-bs"}, false);
  CHECK(joined(bs.argv) == "bin/qmail-smtpd");
  CHECK(bs.setenv.size() == 8);
  CHECK(bs.setenv[2] == std::pair<std::string, std::string>{"PROTO", "TCP"});
  CHECK(bs.setenv[7] == std::pair<std::string, std::string>{"TCPREMOTEINFO", "sendmail-bs"});
  CHECK(inj::plan_sendmail("sendmail", {"-bs"}, true).setenv.empty());
}

TEST_CASE("sendmail refuses unknown options and newaliases") {
  const std::vector<std::vector<std::string>> rows = {{"-q"}, {"-bz"}, {"-f"}, {"-t", "-Z"}};
  for (const auto& row : rows) {
    INFO("args " << joined(row));
    CHECK_THROWS_AS(inj::plan_sendmail("sendmail", row, false), mta::UsageError);
  }
  try {
    inj::plan_sendmail("newaliases", {}, false);
    FAIL("newaliases accepted");
  } catch (const mta::ExitError& e) {
    CHECK(e.exit_code() == 100);
    CHECK(std::string(e.what()) == "please use fastforward/newaliases instead");
  }
}
