// preline — feed a program the message with qmail-local's standard lines.
//
// "|preline [-frdFRD] command [arg...]" starts command (PATH search, no
// shell) with a pipe on its stdin and writes into it $UFLINE (the mbox
// From_ line), $RPLINE (Return-Path) and $DTLINE (Delivered-To), each unless
// its flag (-f, -r, -d) says otherwise, then the message from fd 0, streamed.
// The command's exit code is preline's, so qmail-local's contract carries
// through. A command that stops reading early is not an error.
// Exit codes: the command's; 100 usage (no command, an unknown flag, or one of
// the three variables missing); 111 pipe, fork or crash trouble, or the
// command cannot be run for a temporary reason (100 for another). See
// preline(1).
#include "filters/helpers.h"
#include "mta/core/dotqmail.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"preline", "preline [-frdFRD] command [arg ...]", "prepend lines to message"},
      argc, argv, [](int argc, char** argv) {
        auto options = filters::parse_preline(argc, argv);
        return filters::run_preline(options, mta::dotqmail::Env::from_environment(), 0);
      });
}
