// ezmlm-limit — make a list moderated (or defer posts with -d) when more
// than n messages arrive within t seconds (ezmlm-limit(1)).
// Exit codes: 0, 100 (usage), 111 (deferred, or trouble).
#include <ctime>

#include "ezmlm/lib/limit.h"
#include "ezmlm/lib/options.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main({"ezmlm-limit", "ezmlm-limit [-dDF] [-f file] [-t secs] [-n msgs] dir",
                        "moderate or defer posts when a list gets too many too fast"},
                       argc, argv, [](int argc, char** argv) {
                         auto cl = ezmlm::parse_command_line(argc, argv, "dDf:Fn:t:vV", "ezmlm");
                         return ezmlm::limit::run(cl, static_cast<unsigned long>(std::time(nullptr)));
                       });
}
