// ezmlm-return — take in a bounce for a list (ezmlm.md 5.1).
//
// `ezmlm-return [-dD] DIR`, run from the bouncer after ezmlm-weed, with
// DEFAULT = the part after "<l>-return-": "N-box=dom" (a post's VERP bounce),
// "N-" (a bounce without a box), "warn-T.H-box=dom" / "probe-T.H-box=dom"
// (a bounce of ezmlm-warn's warning or probe), "" (trash). -d: the digest
// list (work directory DIR/digest, db digest). The bookkeeping, the bounce
// report parsing and the DMARC/transient screening are in lib/bounce.h.
// Exit 99 when done (stop the .qmail file), 100 for a missing SENDER or
// DEFAULT, 111 for file or queue trouble. See ezmlm-return(1).
#include <unistd.h>

#include <ctime>
#include <iostream>

#include "ezmlm/lib/bounce.h"
#include "ezmlm/lib/options.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"ezmlm-return", "ezmlm-return [-dD] dir", "record a bounce of a list's mail"}, argc, argv,
      [](int argc, char** argv) {
        auto cl = ezmlm::parse_command_line(argc, argv, "dDvV");
        if (cl.operands.empty()) throw mta::UsageError("");
        ezmlm::ListDir dir(cl.operands[0]);
        const auto& env = dir.env();
        if (!env.sender) throw mta::PermError(dir.message("ERR_NOSENDER"), "");
        if (!env.deflt) throw mta::PermError(dir.message("ERR_NODEFAULT"), "");
        ezmlm::bounce::ReturnInput in;
        in.sender = *env.sender;
        in.deflt = *env.deflt;
        mta::io::Reader reader(0);
        in.message = reader.read_all();
        in.now = std::time(nullptr);
        in.pid = ::getpid();
        auto result = ezmlm::bounce::handle_return(dir, cl.last_of("dD", 'D') == 'd', in);
        for (const auto& line : result.info) std::cerr << "ezmlm-return: info: " << line << "\n";
        return mta::exit_stop;
      });
}
