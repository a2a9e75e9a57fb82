// ezmlm-weed's verdict, on whole input and trickled one byte a read.
#include <catch2/catch.hpp>

#include "ezmlm/lib/weed.h"

using namespace ezmlm;

namespace {
bool weeds(const std::string& message, bool trickle) {
  auto in = mta::io::Reader::from_string(message, trickle);
  return is_weed(in);
}

std::string dsn(const std::string& action) {
  return "From: MAILER-DAEMON@x\nContent-Type: multipart/report;\n\treport-type=\"delivery-status\"; boundary=b\n\n"
         "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x\n\nAction: " +
         action + "\r\nStatus: 4.0.0\n--b--\n";
}
}  // namespace

TEST_CASE("ezmlm-weed drops automatic mail and keeps the rest", "[ezmlm][weed]") {
  struct Row { std::string message; bool weed; };
  const std::vector<Row> rows = {
      // malformed and cut-short input: keep
      {"", false},
      {"From: a@b", false},
      {"not a header line\n\nbody\n", false},
      {std::string("From: a@b\nSubject: x\0y\n\n", 24), false},
      // ordinary mail
      {"From: a@b\nSubject: hello\n\nbody\n", false},
      {"From: a@b\nSubject: Success notice\n\n", false},  // case-sensitive prefixes
      {"From: a@b\nX-Note: Precedence: bulk\n\n", false},
      {"From: a@b\nAuto-Submitted: no\n\n", false},
      {"From: a@b\nAuto-Submitted: No (person)\n\n", false},
      {dsn("failed"), false},
      {"Content-Type: multipart/report; report-type=delivery-status\n", false},
      {"Content-Type: text/plain\n\nAction: delayed\n", false},  // not a report
      // automatic mail
      {"Subject: success notice\n\n", true},
      {"From: a@b\nSubject: deferral notice\n\n", true},
      {"Precedence: junk\n\n", true},
      {"From: a@b\nList-Post: <mailto:l@h>\n\n", true},
      {"From: a@b\nAuto-Submitted: auto-generated\n\n", true},
      {"From: a@b\nAuto-Submitted:\n\n", true},
      {"From: a@b\nThread-Topic: AutoResponse\n\n", true},
      {dsn("delayed"), true},
      {dsn("relayed"), true},
      {"From: x\n\n   **********************************************\n"
       "   **      THIS IS A WARNING MESSAGE ONLY      **\n"
       "   **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n", true},
      {"From: x\n\nThe original message was received at today\n"
       "----- The following addresses had transient non-fatal errors -----\n", true},
  };
  for (const auto& r : rows) {
    INFO(r.message);
    CHECK(weeds(r.message, false) == r.weed);
    CHECK(weeds(r.message, true) == r.weed);
  }
}
