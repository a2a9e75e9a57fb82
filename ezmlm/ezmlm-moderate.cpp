// ezmlm-moderate — a moderator's accept- or reject- reply to a queued post
// (reference ezmlm.md 3.2, 6.1; the flow is ezmlm/lib/moderate_flow.h).
//
// Run from DIR/moderator for local-accept-T.PID.H and local-reject-T.PID.H.
// The arguments after DIR name the program that takes an accepted post
// (default: ezmlm-send DIR with the -c/-C/-r/-R switches given).
#include "ezmlm/lib/moderate_flow.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main({"ezmlm-moderate", "ezmlm-moderate [-cCmMrR] [-t replyto] dir [command [args]]",
                        "accept or reject a post waiting for a moderator"},
                       argc, argv, [](int argc, char** argv) {
                         using ezmlm::moderate::Verb;
                         return ezmlm::moderate::action_main(argc, argv, "ezmlm-moderate",
                                                             {Verb::accept, Verb::reject});
                       });
}
