// mta/inject/sendmail_args.h — what the sendmail wrapper is asked to do.
//
// sendmail is a compatibility front end (reference mta.md 12.5): it turns a
// sendmail command line into a run of qmail-inject, qmail-qread (-bp, or when
// called as mailq) or qmail-smtpd (-bs). plan() does all the deciding and
// returns the program to exec, relative to the qmail home, and the
// environment changes; sendmail.cpp only applies them. The command line is
// read getopt-style with sendmail's option letters ("vimte:f:p:o:B:F:EJxb:"):
// options end at the first operand or at "--", letters may be clustered and
// a value may be attached ("-fjoe") or separate ("-f joe").
//
// Errors: UsageError (exit 100) with the classic usage text; ExitError 100
// when called as newaliases.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mta::inject {

inline constexpr std::string_view sendmail_usage =
    "sendmail [ -t ] [ -fsender ] [ -Fname ] [ -bp ] [ -bs ] [ arg ... ]";

struct SendmailPlan {
  std::vector<std::string> argv;  // argv[0] is "bin/<program>", relative to the home
  std::vector<std::pair<std::string, std::string>> setenv;  // applied in order
  std::vector<std::string> unsetenv;                         // applied before setenv
};

// invoked_as is argv[0] (its last path component decides mailq/newaliases);
// proto_set says whether $PROTO is set (-bs leaves a real tcpserver's env alone).
SendmailPlan plan_sendmail(std::string_view invoked_as, const std::vector<std::string>& args, bool proto_set);

}  // namespace mta::inject
