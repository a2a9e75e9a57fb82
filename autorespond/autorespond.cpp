// autorespond — answer mail automatically, RFC 3834-style, from a .qmail file.
//
// "|autorespond TIME NUM MESSAGE DIR [FLAG [ARSENDER]]" replies to the
// envelope sender ($SENDER) of the message on fd 0 with the MESSAGE file,
// at most NUM times per sender within TIME seconds, keeping its records in
// DIR, and never to lists, bounces, robots or other auto-replies. The
// reply goes through qmail-queue. See autorespond(1) and run.h.
// Exit codes: 0 replied or decided not to; 111 temporary (usage, MESSAGE or
// DIR unusable, qmail-queue deferred).
#include <ctime>
#include <iostream>

#include "autorespond/run.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"autorespond", "autorespond [options] TIME NUM MESSAGE DIR [FLAG [ARSENDER]]",
       "reply to mail automatically, RFC 3834-style"},
      argc, argv, [](int argc, char** argv) {
        auto options = autorespond::parse_args(argc, argv);
        return autorespond::run(options, mta::dotqmail::Env::from_environment(), mta::qmail_home(), 0,
                                std::time(nullptr), std::cerr);
      });
}
