// ezmlm-confirm — the poster's confirm- or discard- reply to a post waiting
// in mod/unconfirmed (reference ezmlm.md 3.2, 6.1; flow in
// ezmlm/lib/moderate_flow.h).
//
// Run from DIR/confirmer; the arguments after DIR name the program that
// takes a confirmed post (the template gives "ezmlm-store -Y DIR" or
// "ezmlm-gate -Y DIR . digest allow mod"; default ezmlm-send DIR).
#include <ctime>
#include <iostream>

#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/moderate_flow.h"
#include "ezmlm/lib/options.h"
#include "ezmlm/lib/sender.h"
#include "mta/core/exitcodes.h"

namespace {
int run(int argc, char** argv) {
  auto cl = ezmlm::parse_command_line(argc, argv, "cCmMrRt:T:vV", "ezmlm-confirm");
  if (cl.operands.empty()) throw mta::UsageError("");
  ezmlm::ListDir dir(cl.operands[0]);
  std::string sender = ezmlm::checked_sender(dir);
  if (sender.find('@') == std::string::npos) throw mta::PermError(dir.message("ERR_ANONYMOUS"), "");

  ezmlm::moderate::ActionOptions options;
  std::vector<std::string> send_options;
  for (const auto& o : cl.options)
    if (o.letter == 'c' || o.letter == 'C' || o.letter == 'r' || o.letter == 'R')
      send_options.push_back(std::string("-") + o.letter);
  std::vector<std::string> given(cl.operands.begin() + 1, cl.operands.end());
  options.command = ezmlm::moderate::accept_command(dir, given, send_options);

  using ezmlm::moderate::Verb;
  auto request = ezmlm::moderate::parse_action(dir, {Verb::confirm, Verb::discard});
  mta::io::Reader in(0);
  std::string info = ezmlm::moderate::act(dir, request, options, in, std::time(nullptr));
  if (!info.empty()) std::cerr << "ezmlm-confirm: info: " << info << "\n";
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  return mta::run_main({"ezmlm-confirm", "ezmlm-confirm [-cCrR] dir [command [args]]",
                        "post or discard a post its poster has answered"},
                       argc, argv, run);
}
