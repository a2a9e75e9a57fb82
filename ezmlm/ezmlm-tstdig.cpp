// ezmlm-tstdig — is a digest due?
//
// `ezmlm-tstdig [-k kbytes] [-m msgs] [-t hours] DIR`: exit 0 when a digest
// should be made now (enough kbytes, messages or hours since the last
// one), 99 when not. Defaults from DIR/digsize, digcount, digtime, else
// 64, 30, 48; 0 switches a criterion off. In DIR/editor it claims the
// digest (DIR/tstdig) so that one post starts one digest. Exit 100 for
// usage errors, 111 for trouble. See ezmlm-tstdig(1) and lib/tstdig.h.
#include <ctime>

#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/options.h"
#include "ezmlm/lib/tstdig.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"ezmlm-tstdig", "ezmlm-tstdig [-k kbytes] [-m msgs] [-t hours] dir",
       "tell whether a mailing list digest is due"},
      argc, argv, [](int argc, char** argv) {
        auto cl = ezmlm::parse_command_line(argc, argv, "k:m:t:vV");
        // Options after DIR are a common mistake; refuse them as ezmlm does.
        if (cl.operands.size() != 1) throw mta::UsageError("");
        ezmlm::ListDir dir(cl.operands[0]);
        ezmlm::tstdig::Criteria c;
        if (auto n = dir.number("digsize")) c.kbytes = *n;
        if (auto n = dir.number("digcount")) c.msgs = *n;
        if (auto n = dir.number("digtime")) c.hours = *n;
        for (const auto& o : cl.options) {
          if (o.letter == 'k') c.kbytes = ezmlm::number_value('k', o.value);
          if (o.letter == 'm') c.msgs = ezmlm::number_value('m', o.value);
          if (o.letter == 't') c.hours = ezmlm::number_value('t', o.value);
        }
        return ezmlm::tstdig::run(dir, c, std::time(nullptr));
      });
}
