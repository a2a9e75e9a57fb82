// ezmlm-weed — drop automatic mail before a list's command processors see it.
//
// `ezmlm-weed` reads a message on stdin and exits 99 (stop the .qmail file:
// the message is dropped) for delivery notices, autoresponses and other
// lists' traffic, 0 otherwise; the rules are in ezmlm/lib/weed.h. 111 for
// read errors. See ezmlm-weed(1).
#include "ezmlm/lib/options.h"
#include "ezmlm/lib/weed.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"ezmlm-weed", "ezmlm-weed", "drop delivery notices and autoresponses"}, argc, argv,
      [](int argc, char** argv) {
        ezmlm::parse_command_line(argc, argv, "vV");
        mta::io::Reader in(0);
        return ezmlm::is_weed(in) ? mta::exit_stop : mta::exit_ok;
      });
}
