// ezmlm-accept — post queued files without a moderator's reply: each named
// file that has its owner-execute bit goes to ezmlm-send DIR and is removed
// once sent ("ezmlm-accept DIR DIR/mod/pending/*" posts everything waiting).
// ezmlm-idx ships this as a shell script; this program keeps its contract
// and sets SENDER from each file's Return-Path (flow in
// ezmlm/lib/moderate_flow.h).
#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/moderate_flow.h"
#include "ezmlm/lib/options.h"
#include "mta/core/exitcodes.h"

namespace {
int run(int argc, char** argv) {
  auto cl = ezmlm::parse_command_line(argc, argv, "cCrRvV", "ezmlm-accept");
  if (cl.operands.size() < 2) throw mta::UsageError("");
  ezmlm::ListDir dir(cl.operands[0]);
  std::vector<std::string> send_options;
  for (const auto& o : cl.options) send_options.push_back(std::string("-") + o.letter);
  std::vector<std::string> files(cl.operands.begin() + 1, cl.operands.end());
  unsigned failed = ezmlm::moderate::accept_files(dir, files, send_options);
  return failed == 0 ? 0 : mta::exit_temp;
}
}  // namespace

int main(int argc, char** argv) {
  return mta::run_main({"ezmlm-accept", "ezmlm-accept [-cCrR] dir file...",
                        "post queued moderation files through ezmlm-send"},
                       argc, argv, run);
}
