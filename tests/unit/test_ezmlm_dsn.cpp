// The bounce report parsers (RFC 3464 DSN, qmail QSBMF) and the verdict
// that keeps DMARC and transient failures from unsubscribing anyone.
// Malformed input first: truncated reports, missing boundaries, huge
// lines, 8-bit garbage.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "ezmlm/lib/dsn.h"
#include "mta/core/io.h"

using namespace ezmlm::dsn;

namespace {

std::string dsn_message(const std::string& groups, const std::string& boundary_param = "boundary=\"B\"") {
  return "From: MAILER-DAEMON@mx.example\nMIME-Version: 1.0\n"
         "Content-Type: multipart/report; report-type=delivery-status;\n\t" +
         boundary_param +
         "\n\n--B\nContent-Type: text/plain\n\nSorry.\n\n--B\nContent-Type: message/delivery-status\n\n"
         "Reporting-MTA: dns; mx.example\nArrival-Date: today\n\n" +
         groups + "\n--B\nContent-Type: message/rfc822\n\nFinal-Recipient: rfc822; decoy@example.org\n\n--B--\n";
}

std::string group(const std::string& rcpt, const std::string& action, const std::string& status,
                  const std::string& diag = "smtp; 550 nope") {
  return "Final-Recipient: rfc822; " + rcpt + "\nAction: " + action + "\nStatus: " + status +
         "\nDiagnostic-Code: " + diag + "\n";
}

std::string qsbmf(const std::string& paragraphs) {
  return "Hi. This is the qmail-send program at mx.example.\n"
         "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
         "This is a permanent error; I've given up. Sorry it didn't work out.\n\n" +
         paragraphs + "--- Below this line is a copy of the message.\n\nReturn-Path: <x@y>\n\n<decoy@example.org>:\nno\n";
}

std::vector<std::string> addresses(const Report& r) {
  std::vector<std::string> out;
  for (const auto& x : r.recipients) out.push_back(x.address);
  return out;
}

}  // namespace

TEST_CASE("DSN parser: malformed input gives nothing or only what is sound", "[ezmlm][dsn]") {
  struct Row {
    std::string name, message;
    Format format;
    std::vector<std::string> want;
  };
  const std::string huge(3u << 20, 'x');
  const std::vector<Row> rows = {
      {"empty", "", Format::none, {}},
      {"header only", "Content-Type: multipart/report; report-type=delivery-status; boundary=B", Format::none, {}},
      {"not a report", "Content-Type: text/plain\n\nFinal-Recipient: rfc822; a@b.example\nAction: failed\n", Format::none, {}},
      {"report of another type", "Content-Type: multipart/report; report-type=disposition-notification; boundary=B\n\n"
                                 "--B\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; a@b.example\n",
       Format::none, {}},
      {"truncated in the status part", [] {
         std::string m = dsn_message("");
         return m.substr(0, m.find("Reporting-MTA")) + "Reporting-MTA: dns; x\n\nFinal-Recipient: rfc822; cut@";
       }(),
       Format::dsn, {}},
      {"truncated after a recipient",
       "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n--B\n"
       "Content-Type: message/delivery-status\n\nReporting-MTA: dns; x\n\nFinal-Recipient: rfc822; a@b.example\nAction: fail",
       Format::dsn, {"a@b.example"}},
      {"missing boundary parameter", dsn_message(group("nb@example.org", "failed", "5.1.1"), "charset=us-ascii"),
       Format::dsn, {"nb@example.org"}},
      {"boundary that never occurs", dsn_message(group("wb@example.org", "failed", "5.1.1"), "boundary=ZZZ"),
       Format::dsn, {"wb@example.org"}},
      {"huge line before the report", huge + "\n" + dsn_message(group("a@b.example", "failed", "5.1.1")), Format::none, {}},
      {"huge diagnostic", dsn_message(group("big@example.org", "failed", "5.1.1", "smtp; 550 " + huge)), Format::dsn,
       {"big@example.org"}},
      {"8-bit garbage address", dsn_message(group("\xff\xfe@\x80\x81", "failed", "5.1.1")), Format::dsn, {"\xff\xfe@\x80\x81"}},
      {"control characters in address", dsn_message(group("a\x01" "b@example.org", "failed", "5.1.1")), Format::dsn, {}},
      {"no @", dsn_message(group("postmaster", "failed", "5.1.1")), Format::dsn, {}},
      {"angle brackets and spaces", dsn_message(group("<sp ace@example.org>", "failed", "5.1.1")), Format::dsn, {}},
      {"NUL bytes", std::string("Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n--B\n"
                                "Content-Type: message/delivery-status\n\nFinal-Recipient: rfc822; a\0b@example.org\n", 139),
       Format::dsn, {}},
      // well formed
      {"one recipient", dsn_message(group("User@Example.org", "failed", "5.1.1")), Format::dsn, {"User@Example.org"}},
      {"CRLF lines", [] {
         std::string m = dsn_message(group("crlf@example.org", "failed", "5.1.1"));
         std::string out;
         for (char c : m) {
           if (c == '\n') out += '\r';
           out += c;
         }
         return out;
       }(), Format::dsn, {"crlf@example.org"}},
      {"two recipients, the returned message's fields ignored",
       dsn_message(group("a@example.org", "failed", "5.1.1") + "\n" + group("b@example.org", "delayed", "4.4.7")),
       Format::dsn, {"a@example.org", "b@example.org"}},
      {"original recipient preferred",
       dsn_message("Original-Recipient: rfc822;orig@example.org\nFinal-Recipient: rfc822; <final@example.net>\nAction: failed\nStatus: 5.1.1\n"),
       Format::dsn, {"orig@example.org"}},
      {"global delivery status, folded fields",
       "Content-Type: multipart/report;\n report-type=global-delivery-status;\n boundary=\"g\"\n\n--g\n"
       "Content-Type: message/global-delivery-status\n\nReporting-MTA: dns; x\n\nFinal-Recipient: utf-8;\n j\xc3\xb6rg@example.org\n"
       "Action: failed\nStatus: 5.1.1\n--g--\n",
       Format::dsn, {"j\xc3\xb6rg@example.org"}},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    Report r = parse_dsn(row.message);
    CHECK(r.format == row.format);
    CHECK(addresses(r) == row.want);
  }
}

TEST_CASE("a bounce read from a trickled stream parses the same", "[ezmlm][dsn]") {
  // ezmlm-return reads the whole bounce (Reader::read_all) and parses it in memory.
  const std::string m = dsn_message(group("a@example.org", "failed", "5.7.26", "smtp; 550 DMARC"));
  auto in = mta::io::Reader::from_string(m, true);
  Report r = parse(in.read_all());
  REQUIRE(r.recipients.size() == 1);
  CHECK(r.recipients[0].address == "a@example.org");
  CHECK(classify(r.recipients[0]) == Verdict::policy);
}

TEST_CASE("DSN parser keeps at most max_recipients", "[ezmlm][dsn]") {
  std::string groups;
  // Built with append, not "r" + to_string(i): GCC 12 at -O3 warns falsely
  // (-Wrestrict) about the short literal concatenation.
  for (int i = 0; i < 500; ++i) {
    std::string rcpt = std::to_string(i);
    rcpt.insert(0, 1, 'r');
    rcpt.append("@example.org");
    groups.append(group(rcpt, "failed", "5.1.1")).append("\n");
  }
  Report r = parse_dsn(dsn_message(groups));
  CHECK(r.recipients.size() == max_recipients);
}

TEST_CASE("QSBMF parser", "[ezmlm][dsn]") {
  struct Row {
    std::string name, body;
    Format format;
    std::vector<std::string> want;
  };
  const std::vector<Row> rows = {
      {"empty", "", Format::none, {}},
      {"no greeting", "<a@example.org>:\nno such user\n\n", Format::none, {}},
      {"greeting only (truncated)", "Hi. This is the qmail-send program at x.\n", Format::qsbmf, {}},
      {"truncated paragraph", "Hi. This is the qmail-send program at x.\n\n<cut@example.org>:\nRemote host said: 55",
       Format::qsbmf, {"cut@example.org"}},
      {"broken address line", qsbmf("<no-at>:\nnope\n\n<ok@example.org>\nnot a paragraph start\n\n"), Format::qsbmf, {}},
      {"8-bit garbage", qsbmf("\x80\xff\n<\x01@x>:\n\xfe\n\n"), Format::qsbmf, {}},
      {"two paragraphs, copy ignored",
       qsbmf("<a@example.org>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n<b@example.org>:\n"
             "Connected to 192.0.2.1 but sender was rejected.\nRemote host said: 550 5.7.26 DMARC\n\n"),
       Format::qsbmf, {"a@example.org", "b@example.org"}},
      {"qmail's '/' line inside a report", qsbmf("<c@example.org>:\nfirst\n/\nsecond (#5.1.1)\n\n"), Format::qsbmf,
       {"c@example.org"}},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    Report r = parse_qsbmf(row.body);
    CHECK(r.format == row.format);
    CHECK(addresses(r) == row.want);
  }
  Report r = parse_qsbmf(qsbmf("<a@example.org>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n"));
  REQUIRE(r.recipients.size() == 1);
  CHECK(r.recipients[0].status == "5.1.1");
  CHECK(r.recipients[0].action == "failed");
  CHECK(r.recipients[0].diagnostic == "Sorry, no mailbox here by that name. (#5.1.1)");
  // parse() falls back from DSN to QSBMF on a whole message.
  CHECK(parse("From: MAILER-DAEMON@x\nSubject: failure notice\n\n" + qsbmf("<q@example.org>:\nno\n\n")).format == Format::qsbmf);
}

TEST_CASE("classify: dead mailbox, transient, DMARC/policy, not a failure", "[ezmlm][dsn]") {
  struct Row {
    std::string action, status, diagnostic;
    Verdict want;
  };
  const std::vector<Row> rows = {
      {"", "", "", Verdict::dead},  // nothing known: a failure, as ezmlm counts it
      {"failed", "5.1.1", "smtp; 550 5.1.1 user unknown", Verdict::dead},
      {"failed", "5.2.2", "smtp; 552 mailbox full", Verdict::dead},
      {"failed", "5.7.1", "smtp; 550 5.7.1 relaying denied", Verdict::dead},
      {"delayed", "4.4.7", "", Verdict::not_failure},
      {"delivered", "2.0.0", "", Verdict::not_failure},
      {"relayed", "2.0.0", "", Verdict::not_failure},
      {"expanded", "2.0.0", "", Verdict::not_failure},
      {"failed", "4.2.2", "smtp; 452 4.2.2 over quota", Verdict::transient},
      {"failed", "", "smtp; 421 try later", Verdict::transient},
      {"failed", "", "Remote host said: 451 greylisted", Verdict::transient},
      {"failed", "5.7.26", "smtp; 550 5.7.26 Unauthenticated email from x is not accepted due to domain's DMARC policy",
       Verdict::policy},
      {"failed", "5.7.26", "", Verdict::policy},
      {"failed", "5.7.509", "smtp; 550 5.7.509 Access denied", Verdict::policy},
      {"failed", "5.7.1", "smtp; 550 5.7.1 rejected by DMARC", Verdict::policy},
      {"failed", "5.7.1", "smtp; 550 5.7.1 Message rejected due to local policy", Verdict::policy},
      {"failed", "", "Remote host said: 550 5.7.1 Email rejected per DMARC policy", Verdict::policy},
      {"failed", "5.1.1", "smtp; 550 no such user, see our policy page", Verdict::dead},
  };
  for (const auto& row : rows) {
    INFO(row.action << " " << row.status << " " << row.diagnostic);
    Recipient r;
    r.action = row.action;
    r.status = row.status;
    r.diagnostic = row.diagnostic;
    CHECK(classify(r) == row.want);
  }
}

TEST_CASE("find_status, usable_address and recipient_for", "[ezmlm][dsn]") {
  CHECK(find_status("") == "");
  CHECK(find_status("5.1") == "");
  CHECK(find_status("192.0.2.1 5.1.1") == "5.1.1");
  CHECK(find_status("(#5.1.1)") == "5.1.1");
  CHECK(find_status("4.2.2.2") == "");
  CHECK(find_status("7.1.1 3.1.1 2.0.0") == "2.0.0");
  CHECK(find_status("5.1234.1") == "");
  CHECK(usable_address("rfc822; <A@B.example>") == "A@B.example");
  CHECK(usable_address("rfc822;") == "");
  CHECK(usable_address("@b") == "");
  CHECK(usable_address("a@") == "");
  CHECK(usable_address(std::string(250, 'a') + "@b.example") == "");
  Report r;
  r.recipients.push_back({"a@x.example", "a@x.example", "", "failed", "5.1.1", ""});
  CHECK(recipient_for(r, "A@X.EXAMPLE") == &r.recipients[0]);
  CHECK(recipient_for(r, "other@x.example") == &r.recipients[0]);  // the only one
  r.recipients.push_back({"b@x.example", "b@x.example", "", "failed", "5.1.1", ""});
  CHECK(recipient_for(r, "other@x.example") == nullptr);
  CHECK(recipient_for(r, "b@x.example") == &r.recipients[1]);
}
