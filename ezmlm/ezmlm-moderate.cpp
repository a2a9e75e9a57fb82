// ezmlm-moderate — a moderator's accept- or reject- reply to a queued post
// (reference ezmlm.md 3.2, 6.1; the flow is ezmlm/lib/moderate_flow.h).
//
// Run from DIR/moderator for local-accept-T.PID.H and local-reject-T.PID.H.
// The arguments after DIR name the program that takes an accepted post
// (default: ezmlm-send DIR with the -c/-C/-r/-R switches given).
#include <ctime>
#include <iostream>

#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/moderate_flow.h"
#include "ezmlm/lib/options.h"
#include "ezmlm/lib/sender.h"
#include "mta/core/exitcodes.h"

namespace {
int run(int argc, char** argv) {
  auto cl = ezmlm::parse_command_line(argc, argv, "cCmMrRt:T:vV", "ezmlm-moderate");
  if (cl.operands.empty()) throw mta::UsageError("");
  ezmlm::ListDir dir(cl.operands[0]);
  std::string sender = ezmlm::checked_sender(dir);
  if (sender.find('@') == std::string::npos) throw mta::PermError(dir.message("ERR_ANONYMOUS"), "");

  ezmlm::moderate::ActionOptions options;
  std::vector<std::string> send_options;
  for (const auto& o : cl.options) {
    if (o.letter == 'c' || o.letter == 'C' || o.letter == 'r' || o.letter == 'R')
      send_options.push_back(std::string("-") + o.letter);
    if (o.letter == 'm') options.mime = true;
    if (o.letter == 'M') options.mime = false;
    if (o.letter == 't' || o.letter == 'T') options.reply_to = o.value;
  }
  std::vector<std::string> given(cl.operands.begin() + 1, cl.operands.end());
  options.command = ezmlm::moderate::accept_command(dir, given, send_options);

  using ezmlm::moderate::Verb;
  auto request = ezmlm::moderate::parse_action(dir, {Verb::accept, Verb::reject});
  mta::io::Reader in(0);
  std::string info = ezmlm::moderate::act(dir, request, options, in, std::time(nullptr));
  if (!info.empty()) std::cerr << "ezmlm-moderate: info: " << info << "\n";
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  return mta::run_main({"ezmlm-moderate", "ezmlm-moderate [-cCmMrR] [-t replyto] dir [command [args]]",
                        "accept or reject a post waiting for a moderator"},
                       argc, argv, run);
}
