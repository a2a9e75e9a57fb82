// ezmlm-checksub — refuse a post by whether its SENDER is subscribed.
//
// `ezmlm-checksub [-nN] [-m msg] DIR [subdir ...]`, run from a .qmail pipe
// line. -N (default): a sender in none of the dbs gets TXT_ONLY_SUBSCRIBERS
// on stdout and exit 100 (the bounce text). -n: a sender in one of them
// (the deny db) gets TXT_REJECT_POSTS and 100. Otherwise 0. -m names the
// text/messages entry to print instead. 100 without SENDER, 111 for file
// trouble. See ezmlm-checksub(1).
#include <iostream>

#include "ezmlm/lib/tools.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"ezmlm-checksub", "ezmlm-checksub [-nN] [-m msg] dir [subdir ...]",
       "reject a message by whether its sender is a subscriber"},
      argc, argv, [](int argc, char** argv) {
        auto cl = ezmlm::parse_command_line(argc, argv, "nNm:vV");
        if (cl.operands.empty()) throw mta::UsageError("");
        ezmlm::ListDir dir(cl.operands[0]);
        bool found = ezmlm::sender_in_dbs(dir, {cl.operands.begin() + 1, cl.operands.end()});
        bool reject_subscribers = cl.last_of("nN", 'N') == 'n';
        if (found != reject_subscribers) return mta::exit_ok;
        std::string key = cl.last('m').value_or(reject_subscribers ? "TXT_REJECT_POSTS" : "TXT_ONLY_SUBSCRIBERS");
        // Parameters <#1#>/<#2#> are the list's local part and host, as the
        // shipped texts use them; run-time tags work too.
        std::cout << ezmlm::expand(dir.message(key, {dir.outlocal(), dir.outhost()}), dir.list_tags())
                  << std::endl;
        return mta::exit_perm;
      });
}
