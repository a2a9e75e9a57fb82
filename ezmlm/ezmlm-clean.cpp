// ezmlm-clean — expire the moderation queue (reference ezmlm.md 3.2, 6.1;
// flow in ezmlm/lib/moderate_flow.h). Run from the editor, manager,
// moderator and confirmer lines ("|ezmlm-clean DIR || exit 0").
#include <ctime>

#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/moderate_flow.h"
#include "ezmlm/lib/options.h"
#include "mta/core/exitcodes.h"

namespace {
int run(int argc, char** argv) {
  auto cl = ezmlm::parse_command_line(argc, argv, "mMrRvV", "ezmlm-clean");
  if (cl.operands.size() != 1) throw mta::UsageError("");
  ezmlm::ListDir dir(cl.operands[0]);
  ezmlm::moderate::CleanOptions options;
  for (const auto& o : cl.options) {
    if (o.letter == 'r') options.return_posts = true;
    if (o.letter == 'R') options.return_posts = false;
    if (o.letter == 'm') options.mime = true;
    if (o.letter == 'M') options.mime = false;
  }
  ezmlm::moderate::clean(dir, options, std::time(nullptr));
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  return mta::run_main({"ezmlm-clean", "ezmlm-clean [-mMrR] dir",
                        "expire posts that waited too long for a moderator or their poster"},
                       argc, argv, run);
}
