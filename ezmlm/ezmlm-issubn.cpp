// ezmlm-issubn — is the (decoded) SENDER in one of a list's dbs?
//
// `ezmlm-issubn [-nN] DIR [subdir ...]`, run from a .qmail pipe line.
// Exit 0 if SENDER is in any named db (the main list when none is named),
// 99 if not; -n swaps the two. 100 without SENDER or for usage, 111 for
// file trouble. A bounce (empty SENDER) is never subscribed. Only the
// address's own buckets are read. See ezmlm-issubn(1).
#include "ezmlm/lib/tools.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"ezmlm-issubn", "ezmlm-issubn [-nN] dir [subdir ...]", "check whether the sender is a subscriber"},
      argc, argv, [](int argc, char** argv) {
        auto cl = ezmlm::parse_command_line(argc, argv, "nNvV");
        if (cl.operands.empty()) throw mta::UsageError("");
        ezmlm::ListDir dir(cl.operands[0]);
        bool found = ezmlm::sender_in_dbs(dir, {cl.operands.begin() + 1, cl.operands.end()});
        if (cl.last_of("nN", 'N') == 'n') found = !found;
        return found ? mta::exit_ok : mta::exit_stop;
      });
}
