// bouncesaying — bounce a message, or bounce it when a program says so.
//
// "|bouncesaying error" in a .qmail file bounces every message with error as
// the whole bounce text. "|bouncesaying error program [arg...]" runs program
// (PATH search, no shell) on the message first: exit 0 means bounce, 111
// means try again later, anything else lets the .qmail file go on.
// Exit codes: 100 bounce, 111 temporary (also a crashed child), 0 continue;
// a missing error text is a usage error (100). See bouncesaying(1).
#include <iostream>
#include <vector>

#include "filters/helpers.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"bouncesaying", "bouncesaying error [program [arg ...]]", "bounce a message, perhaps on a condition"},
      argc, argv, [](int argc, char** argv) {
        if (argc < 2) throw mta::UsageError("");
        if (argc > 2) {
          std::vector<std::string> child(argv + 2, argv + argc);
          if (!filters::bouncesaying_bounces(filters::child_verdict(filters::run_child(child))))
            return mta::exit_ok;
        }
        // The text alone, no program name: it is what the sender reads.
        std::cerr << argv[1] << std::endl;
        return mta::exit_perm;
      });
}
