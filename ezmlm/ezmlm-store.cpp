// ezmlm-store — queue a post for moderation or for its poster's confirmation,
// or hand it straight to ezmlm-send (reference ezmlm.md 2.4, 6.1).
//
// With neither modpost nor confirmpost (or with -Y) the simple form execs
// $EZMLM_BIN/ezmlm-send with the -c/-C/-r/-R switches given and DIR, so the
// editor line is the same for every posting policy. Otherwise the post goes
// to mod/pending (moderation) or mod/unconfirmed (confirmation) and the
// request is sent: see ezmlm/lib/moderate_flow.h.
#include <cerrno>
#include <cstring>
#include <ctime>
#include <iostream>

#include "ezmlm/lib/env.h"
#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/moderate.h"
#include "ezmlm/lib/moderate_flow.h"
#include "ezmlm/lib/options.h"
#include "mta/core/exitcodes.h"
#include "mta/core/process.h"

namespace {
int run(int argc, char** argv) {
  auto cl = ezmlm::parse_command_line(argc, argv, "bBmMpPsSyYcCrRvV", "ezmlm-store");
  if (cl.operands.size() != 1) throw mta::UsageError("");
  ezmlm::ListDir dir(cl.operands[0]);

  ezmlm::moderate::StoreOptions options;
  for (const auto& o : cl.options) {
    switch (o.letter) {
      case 'b': options.body = true; break;
      case 'B': options.body = false; break;
      case 'm': options.mime = true; break;
      case 'M': options.mime = false; break;
      case 'p': options.anyone = true; break;
      case 'P': options.anyone = false; break;
      case 's': options.self = true; break;
      case 'S': options.self = false; break;
      case 'y': options.confirm = true; break;
      case 'Y': options.confirm = false; break;
      default: break;
    }
  }

  if (!ezmlm::moderate::needs_queue(dir, options)) {
    std::vector<std::string> argv_send = {ezmlm::moderate::sibling_program(dir.env(), "ezmlm-send")};
    for (const auto& o : cl.options)
      if (o.letter == 'c' || o.letter == 'C' || o.letter == 'r' || o.letter == 'R')
        argv_send.push_back(std::string("-") + o.letter);
    argv_send.push_back(cl.operands[0]);
    mta::process::exec(argv_send, false);
    int err = errno;
    throw mta::TempError(mta::cat("unable to run ", argv_send[0], ": ", std::strerror(err)), "");
  }

  mta::io::Reader in(0);
  pid_t qp = ezmlm::moderate::store_post(dir, options, in, std::time(nullptr));
  std::cerr << "ezmlm-store: info: qp " << qp << "\n";
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  return mta::run_main({"ezmlm-store", "ezmlm-store [-bBmMpPsSyYcCrR] dir",
                        "queue a post for moderation or confirmation, or send it"},
                       argc, argv, run);
}
