// mta/inject/sendmail_args.cpp — sendmail's command line (reference mta.md 12.5).
#include "mta/inject/sendmail_args.h"

#include "mta/core/address.h"
#include "mta/core/exitcodes.h"

namespace mta::inject {

namespace {

enum class Mode { inject, qread, smtpd };

std::string_view basename(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

[[noreturn]] void usage() { throw UsageError(std::string(sendmail_usage)); }

}  // namespace

// plan_sendmail - parse like getopt, then decide.
SendmailPlan plan_sendmail(std::string_view invoked_as, const std::vector<std::string>& args, bool proto_set) {
  SendmailPlan plan;
  std::string_view name = basename(invoked_as);
  if (name == "newaliases") throw ExitError(exit_perm, "please use fastforward/newaliases instead");
  if (name == "mailq") {
    plan.argv = {"bin/qmail-qread"};
    return plan;
  }

  Mode mode = Mode::inject;
  bool header_recipients = false;
  bool have_sender = false;
  std::string sender;
  std::size_t k = 0;
  for (; k < args.size(); ++k) {
    std::string_view a = args[k];
    if (a == "--") {
      ++k;
      break;
    }
    if (a.size() < 2 || a[0] != '-') break;
    for (std::size_t j = 1; j < a.size(); ++j) {
      char c = a[j];
      // Letters that take a value: the rest of this word, else the next word.
      if (std::string_view("efpoBFb").find(c) != std::string_view::npos) {
        std::string value;
        if (j + 1 < a.size()) {
          value = std::string(a.substr(j + 1));
        } else if (k + 1 < args.size()) {
          value = args[++k];
        } else {
          usage();
        }
        if (c == 'f') {
          sender = value;
          have_sender = true;
        } else if (c == 'F') {
          plan.setenv.emplace_back("MAILNAME", value);
        } else if (c == 'b') {
          if (value == "p") mode = Mode::qread;
          else if (value == "s") mode = Mode::smtpd;
          else if (value != "m") usage();
        }
        break;  // e, p, o, B: accepted and ignored
      }
      if (c == 't') header_recipients = true;
      else if (std::string_view("vimEJx").find(c) == std::string_view::npos) usage();
    }
  }

  if (mode == Mode::qread) {
    plan.argv = {"bin/qmail-qread"};
    return plan;
  }
  if (mode == Mode::smtpd) {
    plan.argv = {"bin/qmail-smtpd"};
    if (!proto_set) {
      plan.setenv = {{"RELAYCLIENT", ""},          {"DATABYTES", "0"},         {"PROTO", "TCP"},
                     {"TCPLOCALIP", "127.0.0.1"},  {"TCPLOCALHOST", "localhost"}, {"TCPREMOTEIP", "127.0.0.1"},
                     {"TCPREMOTEHOST", "localhost"}, {"TCPREMOTEINFO", "sendmail-bs"}};
    }
    return plan;
  }

  plan.argv = {"bin/qmail-inject", header_recipients ? "-H" : "-a"};
  if (have_sender) {
    plan.argv.push_back("-f");
    plan.argv.push_back(sender);
    // The sender also becomes the From: qmail-inject adds. Clearing the name
    // variables drops a -F given before: kept, it is what sendmail users of
    // qmail have always seen (reference 18.19).
    plan.unsetenv = {"QMAILNAME", "MAILNAME", "NAME", "QMAILHOST", "MAILHOST"};
    std::erase_if(plan.setenv, [](const auto& kv) { return kv.first == "MAILNAME"; });
    address::Split sp = address::split_at_last(sender);
    plan.setenv.emplace_back("QMAILUSER", std::string(sp.local));
    if (sp.has_at) plan.setenv.emplace_back("QMAILHOST", std::string(sp.domain));
  }
  plan.argv.push_back("--");
  for (; k < args.size(); ++k) plan.argv.push_back(args[k]);
  return plan;
}

}  // namespace mta::inject
