// ezmlm-confirm — the poster's confirm- or discard- reply to a post waiting
// in mod/unconfirmed (reference ezmlm.md 3.2, 6.1; flow in
// ezmlm/lib/moderate_flow.h).
//
// Run from DIR/confirmer; the arguments after DIR name the program that
// takes a confirmed post (the template gives "ezmlm-store -Y DIR" or
// "ezmlm-gate -Y DIR . digest allow mod"; default ezmlm-send DIR).
#include "ezmlm/lib/moderate_flow.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main({"ezmlm-confirm", "ezmlm-confirm [-cCrR] dir [command [args]]",
                        "post or discard a post its poster has answered"},
                       argc, argv, [](int argc, char** argv) {
                         using ezmlm::moderate::Verb;
                         return ezmlm::moderate::action_main(argc, argv, "ezmlm-confirm",
                                                             {Verb::confirm, Verb::discard});
                       });
}
