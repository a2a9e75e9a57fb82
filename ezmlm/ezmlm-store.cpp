// ezmlm-store — queue a post for moderation or confirmation, or send it.
//
// This version has the simple form only (ezmlm.md 2.4): when neither
// modpost nor confirmpost is on (or -Y turns confirmation off), it execs
// $EZMLM_BIN/ezmlm-send with the -c/-C/-r/-R switches it was given and DIR;
// with moderation or confirmation on it refuses with exit 111 (the message
// stays queued until a later version can moderate it).
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <cstring>
#include <iostream>

#include "ezmlm/lib/env.h"
#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/options.h"
#include "mta/core/exitcodes.h"
#include "mta/core/process.h"

namespace {
int run(int argc, char** argv) {
  auto cl = ezmlm::parse_command_line(argc, argv, "bBmMpPsSyYcCrRvV", "ezmlm");
  if (cl.operands.size() != 1) throw mta::UsageError("");
  ezmlm::Env env = ezmlm::Env::from_environ();
  ezmlm::ListDir dir(cl.operands[0], env);
  bool confirm = dir.flag('y');
  char y = cl.last_of("yY", 0);
  if (y == 'y') confirm = true;
  if (y == 'Y') confirm = false;
  if (dir.flag('m') || confirm) throw mta::TempError(dir.message("ERR_NO_MODERATION"), "");

  // EZMLM_BIN (or the compiled default); when ezmlm-send is not there, the
  // one installed next to this program (a clean qmail-start environment).
  std::string send = env.bin + "/ezmlm-send";
  if (::access(send.c_str(), X_OK) != 0) {
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec && ::access((self.parent_path() / "ezmlm-send").c_str(), X_OK) == 0)
      send = (self.parent_path() / "ezmlm-send").string();
  }
  std::vector<std::string> argv_send = {send};
  for (const auto& o : cl.options)
    if (o.letter == 'c' || o.letter == 'C' || o.letter == 'r' || o.letter == 'R')
      argv_send.push_back(std::string("-") + o.letter);
  argv_send.push_back(cl.operands[0]);
  mta::process::exec(argv_send, false);
  int err = errno;
  throw mta::TempError(mta::cat("unable to run ", argv_send[0], ": ", std::strerror(err)), "");
}
}  // namespace

int main(int argc, char** argv) {
  return mta::run_main({"ezmlm-store", "ezmlm-store [-bBmMpPsSyYcCrR] dir",
                        "send a post, or queue it for moderation (not yet supported)"},
                       argc, argv, run);
}
