// ezmlm-request — answer list-request@host: turn a command written in the
// Subject or body into the list's command address and forward the mail
// there; with -f, the global "lists"/"which" interface (ezmlm-request(1)).
// Exit codes: 0 (not a request), 99 (forwarded or answered), 100, 111.
#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/options.h"
#include "ezmlm/lib/request_run.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

namespace {
int run(int argc, char** argv) {
  auto cl = ezmlm::parse_command_line(argc, argv, "f:F:vV", "ezmlm");
  if (cl.operands.size() != 1) throw mta::UsageError("");
  ezmlm::ListDir dir(cl.operands[0], ezmlm::Env::from_environ());
  ezmlm::request::RunOptions options;
  for (const auto& o : cl.options)
    if (o.letter == 'f' || o.letter == 'F') options.config = o.value;
  mta::io::Reader in(0);
  return ezmlm::request::run(dir, options, in);
}
}  // namespace

int main(int argc, char** argv) {
  return mta::run_main({"ezmlm-request", "ezmlm-request [-f lists.cfg] dir",
                        "forward a command written in the Subject to the list's command address"},
                       argc, argv, run);
}
