// sendmail — the sendmail command line, run through qmail's own programs.
//
// Decides (sendmail_args.h) which of qmail-inject, qmail-qread or qmail-smtpd
// to run, changes to the qmail home and execs it from bin/. No privileges.
// Exit codes: 100 usage, 111 when the home or the program cannot be used;
// otherwise the exec'ed program's own. See sendmail(8).
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "mta/core/exitcodes.h"
#include "mta/core/paths.h"
#include "mta/inject/sendmail_args.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"sendmail", mta::inject::sendmail_usage, "send mail through qmail-inject (sendmail compatibility)"},
      argc, argv, [](int argc, char** argv) -> int {
        std::vector<std::string> args(argv + 1, argv + argc);
        auto plan = mta::inject::plan_sendmail(argv[0] ? argv[0] : "sendmail", args, std::getenv("PROTO") != nullptr);
        mta::Home home = mta::qmail_home();
        if (::chdir(home.root.c_str()) != 0) mta::throw_errno("unable to switch to " + home.root.string());
        for (const auto& name : plan.unsetenv) ::unsetenv(name.c_str());
        for (const auto& [name, value] : plan.setenv) ::setenv(name.c_str(), value.c_str(), 1);
        std::vector<char*> cargv;
        for (auto& a : plan.argv) cargv.push_back(a.data());
        cargv.push_back(nullptr);
        ::execv(cargv[0], cargv.data());
        throw mta::TempError("unable to run " + plan.argv[0] + ": " + std::strerror(errno));
      });
}
