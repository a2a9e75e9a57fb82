// except — run a program and turn its success into a bounce.
//
// "|except program [arg...]" runs program on the message (PATH search, no
// shell) and inverts its answer for the .qmail file: exit 0 becomes 100
// (bounce), 111 stays 111 (retry), anything else becomes 0 (go on). Typical
// use: "|except condition-program" in front of the lines it guards.
// Exit codes: 100, 111 (also a crashed child), 0; no program is a usage error
// (100). See except(1).
#include <vector>

#include "filters/helpers.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"except", "except program [arg ...]", "reverse the exit code of a program"},
      argc, argv, [](int argc, char** argv) {
        if (argc < 2) throw mta::UsageError("");
        std::vector<std::string> child(argv + 1, argv + argc);
        return filters::except_exit(filters::child_verdict(filters::run_child(child)));
      });
}
