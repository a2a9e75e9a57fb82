// ezmlm-gate — post a subscriber's message at once (ezmlm-send), queue
// anyone else's for moderation (ezmlm-store); owner queries with -q
// (ezmlm-gate(1)). Exit codes: the child's 0 or 100, else 111.
#include "ezmlm/lib/gate.h"
#include "ezmlm/lib/options.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main({"ezmlm-gate", "ezmlm-gate [-cCrRQ] [-mMpPsSyY] [-q file] [-0] dir [db ...]",
                        "send a post from a subscriber, queue others for moderation"},
                       argc, argv, [](int argc, char** argv) {
                         return ezmlm::gate::run(ezmlm::parse_command_line(argc, argv, "cCrRQmMpPsSyYq:0vV", "ezmlm"));
                       });
}
